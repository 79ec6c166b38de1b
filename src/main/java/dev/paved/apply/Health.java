package dev.paved.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Health of one live object as the apiserver returns it: a pure function of the object, no I/O.
 * The rules follow Argo CD's built-in checks and kstatus, with the departures noted below.
 *
 * <ul>
 *   <li><b>Absent</b> ({@code null}, JSON null or missing node): MISSING.
 *   <li><b>Any object with {@code metadata.deletionTimestamp}</b>: PROGRESSING, "being deleted"
 *       (naming the finalizers it waits for).
 *   <li><b>Deployment</b>: no status or {@code status.observedGeneration < metadata.generation}:
 *       PROGRESSING (the controller has not seen the spec); condition {@code Progressing=False}
 *       with reason {@code ProgressDeadlineExceeded}: DEGRADED; fewer updated replicas than
 *       {@code spec.replicas} (default 1), old replicas still terminating, or fewer available
 *       than updated: PROGRESSING ("x of y replicas updated", "x of y updated replicas
 *       available"); otherwise HEALTHY. A paused Deployment is judged the same way, with the
 *       pause named in the message.
 *   <li><b>StatefulSet</b>: not yet observed: PROGRESSING; extra pods terminating or fewer ready
 *       than {@code spec.replicas}: PROGRESSING; RollingUpdate with a partition: HEALTHY once
 *       the pods above the partition are updated; RollingUpdate: PROGRESSING until {@code
 *       currentRevision == updateRevision}; OnDelete: HEALTHY once ready (pods update only when
 *       deleted).
 *   <li><b>DaemonSet</b>: not yet observed: PROGRESSING; {@code updatedNumberScheduled} (not
 *       for OnDelete) or {@code numberAvailable} below {@code desiredNumberScheduled}:
 *       PROGRESSING; otherwise HEALTHY.
 *   <li><b>Job</b>: {@code Failed=True} or {@code FailureTarget=True}: DEGRADED; {@code
 *       Complete=True}: HEALTHY; suspended: HEALTHY (deliberately at rest; the message says so);
 *       otherwise PROGRESSING. <b>CronJob</b>: HEALTHY.
 *   <li><b>Service</b>: type LoadBalancer without an address in {@code
 *       status.loadBalancer.ingress}: PROGRESSING; otherwise HEALTHY. <b>Ingress</b>: always
 *       HEALTHY, the message saying whether a load balancer address was reported. (Argo CD
 *       reports such an Ingress Progressing forever when the controller never writes the
 *       address, a known complaint; Paved does not block a rollout on it.)
 *   <li><b>PersistentVolumeClaim</b>: Bound: HEALTHY; Pending: PROGRESSING (normal with {@code
 *       WaitForFirstConsumer} until a pod uses it); Lost: DEGRADED.
 *   <li><b>HorizontalPodAutoscaler</b> (v2 conditions, or v1's conditions annotation): no
 *       status yet: PROGRESSING; {@code AbleToScale=False}: DEGRADED (it cannot read or update
 *       its target); {@code ScalingActive=False} because metrics could not be fetched
 *       ({@code FailedGet*Metric}, e.g. no metrics server, or the first minutes after a rollout):
 *       <em>HEALTHY</em> with a message — unlike Argo CD, which says Degraded — because the
 *       object is correct, the workload keeps its replicas and the cause lies outside the
 *       config; but when the message says a container has no resource request for the metric,
 *       which is a config error, DEGRADED. {@code ScalingActive=False} with reason {@code
 *       ScalingDisabled} (target scaled to zero): HEALTHY; any other {@code ScalingActive=False}
 *       (invalid selector or metric): DEGRADED; otherwise HEALTHY.
 *   <li><b>Pod</b>: Pending/Running with a container waiting for a reason that will not fix
 *       itself (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...): DEGRADED; Pending:
 *       PROGRESSING; Running: HEALTHY when Ready (restartPolicy Always), else PROGRESSING;
 *       Succeeded: HEALTHY; Failed: DEGRADED; Unknown: UNKNOWN.
 *   <li><b>Namespace</b>: Active: HEALTHY; Terminating: PROGRESSING.
 *   <li><b>CustomResourceDefinition</b>: {@code Established=True}: HEALTHY; {@code
 *       NamesAccepted=False}: DEGRADED; otherwise PROGRESSING.
 *   <li><b>Any other kind</b> is HEALTHY once it exists, unless it follows kstatus's
 *       conventions and says otherwise: {@code Stalled=True}: DEGRADED; {@code
 *       Reconciling=True} or a {@code status.observedGeneration} behind {@code
 *       metadata.generation}: PROGRESSING.
 *   <li>An object with no {@code kind}, or a phase the rules do not know: UNKNOWN.
 * </ul>
 *
 * Kinds are matched by API group and kind (a custom resource that happens to be called
 * "Deployment" is not judged as one); a tree without {@code apiVersion} is matched by kind.
 * Numbers absent from a status count as zero, as the apiserver omits zeros.
 */
public final class Health {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Waiting reasons of a container that will not resolve without a change. */
  private static final Set<String> STUCK_CONTAINER_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff",
      "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
      "RunContainerError", "ErrImageNeverPull");

  /** v1 HPAs keep their conditions in this annotation (as JSON). */
  static final String HPA_V1_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

  private Health() {}

  /** The health of {@code live}; MISSING when it is {@code null} (the object does not exist). */
  public static HealthStatus assess(JsonNode live) {
    if (live == null || live.isNull() || live.isMissingNode()) {
      return HealthStatus.missing("Not found in the cluster.");
    }
    if (!live.isObject()) {
      return HealthStatus.unknown("Not a Kubernetes object.");
    }
    JsonNode meta = live.path("metadata");
    if (!text(meta, "deletionTimestamp").isEmpty()) {
      List<String> finalizers = strings(meta.path("finalizers"));
      return HealthStatus.progressing(finalizers.isEmpty() ? "Being deleted."
          : "Being deleted; waiting for finalizers " + String.join(", ", finalizers) + ".");
    }
    String kind = text(live, "kind");
    if (kind.isEmpty()) {
      return HealthStatus.unknown("The object has no kind.");
    }
    String group = group(live);
    switch (kind) {
      case "Deployment":
        if (is(group, "apps", "extensions")) {
          return deployment(live);
        }
        break;
      case "StatefulSet":
        if (is(group, "apps")) {
          return statefulSet(live);
        }
        break;
      case "DaemonSet":
        if (is(group, "apps", "extensions")) {
          return daemonSet(live);
        }
        break;
      case "Job":
        if (is(group, "batch")) {
          return job(live);
        }
        break;
      case "CronJob":
        if (is(group, "batch")) {
          return cronJob(live);
        }
        break;
      case "Service":
        if (is(group, "")) {
          return service(live);
        }
        break;
      case "Ingress":
        if (is(group, "networking.k8s.io", "extensions")) {
          return ingress(live);
        }
        break;
      case "PersistentVolumeClaim":
        if (is(group, "")) {
          return persistentVolumeClaim(live);
        }
        break;
      case "HorizontalPodAutoscaler":
        if (is(group, "autoscaling")) {
          return horizontalPodAutoscaler(live);
        }
        break;
      case "Pod":
        if (is(group, "")) {
          return pod(live);
        }
        break;
      case "Namespace":
        if (is(group, "")) {
          return namespace(live);
        }
        break;
      case "CustomResourceDefinition":
        if (is(group, "apiextensions.k8s.io")) {
          return customResourceDefinition(live);
        }
        break;
      default:
        break;
    }
    return generic(live);
  }

  // --- workloads ---------------------------------------------------------------------------

  private static HealthStatus deployment(JsonNode d) {
    Optional<HealthStatus> unobserved = unobserved(d, "deployment");
    if (unobserved.isPresent()) {
      return unobserved.get();
    }
    JsonNode spec = d.path("spec");
    JsonNode status = d.path("status");
    String paused = spec.path("paused").asBoolean(false) ? " The rollout is paused." : "";
    JsonNode progressing = condition(status, "Progressing");
    if (isFalse(progressing) && "ProgressDeadlineExceeded".equals(text(progressing, "reason"))) {
      String why = text(progressing, "message");
      return HealthStatus.degraded("The rollout exceeded its progress deadline"
          + (why.isEmpty() ? "." : ": " + sentence(why)));
    }
    int desired = spec.path("replicas").asInt(1);
    int replicas = status.path("replicas").asInt(0);
    int updated = status.path("updatedReplicas").asInt(0);
    int available = status.path("availableReplicas").asInt(0);
    JsonNode replicaFailure = condition(status, "ReplicaFailure");
    String failure = isTrue(replicaFailure) && !text(replicaFailure, "message").isEmpty()
        ? " Pods cannot be created: " + sentence(text(replicaFailure, "message")) : "";
    if (updated < desired) {
      return HealthStatus.progressing("Rollout in progress: " + updated + " of " + desired
          + " replicas updated." + failure + paused);
    }
    if (replicas > updated) {
      int old = replicas - updated;
      return HealthStatus.progressing("Rollout in progress: " + old + " old " + plural(old, "replica")
          + " pending termination." + failure + paused);
    }
    if (available < updated) {
      return HealthStatus.progressing("Rollout in progress: " + available + " of " + updated
          + " updated replicas available." + failure + paused);
    }
    if (desired == 0) {
      return HealthStatus.healthy("Scaled to zero." + paused);
    }
    return HealthStatus.healthy(available + " of " + desired + " replicas available." + paused);
  }

  private static HealthStatus statefulSet(JsonNode s) {
    Optional<HealthStatus> unobserved = unobserved(s, "statefulset");
    if (unobserved.isPresent()) {
      return unobserved.get();
    }
    JsonNode spec = s.path("spec");
    JsonNode status = s.path("status");
    int desired = spec.path("replicas").asInt(1);
    int replicas = status.path("replicas").asInt(0);
    int ready = status.path("readyReplicas").asInt(0);
    int updated = status.path("updatedReplicas").asInt(0);
    if (replicas > desired) {
      int extra = replicas - desired;
      return HealthStatus.progressing(extra + " " + plural(extra, "pod") + " pending termination.");
    }
    if (ready < desired) {
      return HealthStatus.progressing(ready + " of " + desired + " pods ready.");
    }
    JsonNode strategy = spec.path("updateStrategy");
    if ("OnDelete".equals(text(strategy, "type"))) {
      return HealthStatus.healthy(ready + " of " + desired
          + " pods ready. Update strategy OnDelete: pods are updated only when deleted.");
    }
    int partition = strategy.path("rollingUpdate").path("partition").asInt(0);
    if (partition > 0) {
      int expected = Math.max(0, desired - partition);
      if (updated < expected) {
        return HealthStatus.progressing("Partitioned rollout in progress: " + updated + " of " + expected
            + " pods above partition " + partition + " updated.");
      }
      return HealthStatus.healthy("Partitioned rollout complete: " + updated + " of " + desired
          + " pods updated (partition " + partition + ").");
    }
    String current = text(status, "currentRevision");
    String target = text(status, "updateRevision");
    if (!current.equals(target)) {
      return HealthStatus.progressing("Rolling update in progress: " + updated + " of " + desired
          + " pods at revision " + target + ".");
    }
    if (desired == 0) {
      return HealthStatus.healthy("Scaled to zero.");
    }
    return HealthStatus.healthy(ready + " of " + desired + " pods ready"
        + (target.isEmpty() ? "." : " at revision " + target + "."));
  }

  private static HealthStatus daemonSet(JsonNode ds) {
    Optional<HealthStatus> unobserved = unobserved(ds, "daemonset");
    if (unobserved.isPresent()) {
      return unobserved.get();
    }
    JsonNode status = ds.path("status");
    int desired = status.path("desiredNumberScheduled").asInt(0);
    int updated = status.path("updatedNumberScheduled").asInt(0);
    int available = status.path("numberAvailable").asInt(0);
    boolean onDelete = "OnDelete".equals(text(ds.path("spec").path("updateStrategy"), "type"));
    if (!onDelete && updated < desired) {
      return HealthStatus.progressing("Rollout in progress: " + updated + " of " + desired + " pods updated.");
    }
    if (available < desired) {
      return HealthStatus.progressing(available + " of " + desired + " pods available.");
    }
    if (desired == 0) {
      return HealthStatus.healthy("No node needs a pod.");
    }
    return HealthStatus.healthy(available + " of " + desired + " pods available."
        + (onDelete ? " Update strategy OnDelete: pods are updated only when deleted." : ""));
  }

  private static HealthStatus job(JsonNode j) {
    JsonNode status = j.path("status");
    JsonNode failed = condition(status, "Failed");
    if (isTrue(failed)) {
      return HealthStatus.degraded("The job failed" + because(failed));
    }
    JsonNode failureTarget = condition(status, "FailureTarget");
    if (isTrue(failureTarget)) {
      return HealthStatus.degraded("The job is failing" + because(failureTarget));
    }
    int succeeded = status.path("succeeded").asInt(0);
    if (isTrue(condition(status, "Complete"))) {
      return HealthStatus.healthy("The job completed: " + succeeded + " " + plural(succeeded, "pod") + " succeeded.");
    }
    if (isTrue(condition(status, "Suspended")) || j.path("spec").path("suspend").asBoolean(false)) {
      return HealthStatus.healthy("The job is suspended; it runs when resumed.");
    }
    if (isTrue(condition(status, "SuccessCriteriaMet"))) {
      return HealthStatus.progressing("The job succeeded; waiting for its pods to finish.");
    }
    if (!hasStatus(j)) {
      return HealthStatus.progressing("Waiting for the job controller to start the job.");
    }
    int active = status.path("active").asInt(0);
    JsonNode completions = j.path("spec").path("completions");
    String done = completions.isNumber()
        ? succeeded + " of " + completions.asInt() + " completions succeeded"
        : succeeded + " " + plural(succeeded, "pod") + " succeeded";
    return HealthStatus.progressing("The job is running: " + active + " active, " + done + ".");
  }

  private static HealthStatus cronJob(JsonNode c) {
    JsonNode spec = c.path("spec");
    String schedule = text(spec, "schedule");
    if (spec.path("suspend").asBoolean(false)) {
      return HealthStatus.healthy("Suspended; no jobs are scheduled.");
    }
    String last = text(c.path("status"), "lastScheduleTime");
    return HealthStatus.healthy("Runs on schedule \"" + schedule + "\""
        + (last.isEmpty() ? "; not run yet." : "; last scheduled at " + last + "."));
  }

  // --- networking and storage --------------------------------------------------------------

  private static HealthStatus service(JsonNode svc) {
    String type = text(svc.path("spec"), "type");
    if (!"LoadBalancer".equals(type)) {
      return HealthStatus.healthy((type.isEmpty() ? "ClusterIP" : type) + " service.");
    }
    List<String> addresses = loadBalancerAddresses(svc);
    if (addresses.isEmpty()) {
      return HealthStatus.progressing("Waiting for a load balancer address.");
    }
    return HealthStatus.healthy("Load balancer at " + String.join(", ", addresses) + ".");
  }

  private static HealthStatus ingress(JsonNode ing) {
    List<String> addresses = loadBalancerAddresses(ing);
    if (addresses.isEmpty()) {
      return HealthStatus.healthy("No load balancer address reported yet (is an ingress controller "
          + "serving this ingress class?).");
    }
    return HealthStatus.healthy("Load balancer at " + String.join(", ", addresses) + ".");
  }

  private static HealthStatus persistentVolumeClaim(JsonNode pvc) {
    String phase = text(pvc.path("status"), "phase");
    String volume = text(pvc.path("spec"), "volumeName");
    switch (phase) {
      case "Bound":
        return HealthStatus.healthy(volume.isEmpty() ? "Bound to a volume." : "Bound to volume " + volume + ".");
      case "":
      case "Pending":
        return HealthStatus.progressing("Waiting for a volume to be bound.");
      case "Lost":
        return HealthStatus.degraded(volume.isEmpty() ? "The bound volume was lost."
            : "The bound volume " + volume + " was lost.");
      default:
        return HealthStatus.unknown("Unknown phase " + phase + ".");
    }
  }

  private static HealthStatus horizontalPodAutoscaler(JsonNode hpa) {
    JsonNode status = hpa.path("status");
    List<JsonNode> conditions = hpaConditions(hpa);
    if (conditions.isEmpty()) {
      if (status.has("currentReplicas") || status.has("lastScaleTime")) {
        return HealthStatus.healthy(status.path("currentReplicas").asInt(0) + " current replicas.");
      }
      return HealthStatus.progressing("Waiting for the autoscaler to report status.");
    }
    JsonNode ableToScale = find(conditions, "AbleToScale");
    if (isFalse(ableToScale)) {
      return HealthStatus.degraded("The autoscaler cannot scale its target" + because(ableToScale));
    }
    JsonNode active = find(conditions, "ScalingActive");
    if (isFalse(active)) {
      String reason = text(active, "reason");
      String message = text(active, "message");
      if ("ScalingDisabled".equals(reason)) {
        return HealthStatus.healthy("Autoscaling is disabled while the target is scaled to zero.");
      }
      if (reason.startsWith("FailedGet") && reason.endsWith("Metric")) {
        if (message.contains("missing request for")) {
          return HealthStatus.degraded("Autoscaling cannot work: a container has no resource request for "
              + "the metric" + because(active));
        }
        return HealthStatus.healthy("Autoscaling is inactive because metrics are unavailable (is a metrics "
            + "server installed?); the current replica count is kept" + because(active));
      }
      return HealthStatus.degraded("Autoscaling is inactive" + because(active));
    }
    int current = status.path("currentReplicas").asInt(0);
    int desired = status.path("desiredReplicas").asInt(current);
    String counts = current + " current, " + desired + " desired " + plural(desired, "replica");
    JsonNode limited = find(conditions, "ScalingLimited");
    if (isTrue(limited)) {
      return HealthStatus.healthy("Autoscaling active at its limit: " + counts + because(limited));
    }
    return HealthStatus.healthy("Autoscaling active: " + counts + ".");
  }

  // --- core --------------------------------------------------------------------------------

  private static HealthStatus pod(JsonNode p) {
    JsonNode status = p.path("status");
    String phase = text(status, "phase");
    Optional<String> stuck = stuckContainer(status);
    switch (phase) {
      case "Succeeded":
        return HealthStatus.healthy("The pod completed.");
      case "Failed": {
        String reason = text(status, "reason");
        String message = text(status, "message");
        return HealthStatus.degraded("The pod failed" + (reason.isEmpty() && message.isEmpty() ? "."
            : ": " + join(reason, message)));
      }
      case "Unknown":
        return HealthStatus.unknown("The pod's state is unknown (its node stopped reporting).");
      case "":
      case "Pending": {
        if (stuck.isPresent()) {
          return HealthStatus.degraded(stuck.get());
        }
        JsonNode scheduled = condition(status, "PodScheduled");
        if (isFalse(scheduled)) {
          return HealthStatus.progressing("The pod is not scheduled" + because(scheduled));
        }
        return HealthStatus.progressing("The pod is pending.");
      }
      case "Running": {
        if (stuck.isPresent()) {
          return HealthStatus.degraded(stuck.get());
        }
        String restart = text(p.path("spec"), "restartPolicy");
        if (!restart.isEmpty() && !"Always".equals(restart)) {
          return HealthStatus.progressing("The pod is running to completion.");
        }
        if (isTrue(condition(status, "Ready"))) {
          return HealthStatus.healthy("The pod is running and ready.");
        }
        int total = status.path("containerStatuses").size();
        long ready = stream(status.path("containerStatuses")).filter(c -> c.path("ready").asBoolean(false)).count();
        return HealthStatus.progressing("The pod is running; " + ready + " of " + total + " containers ready.");
      }
      default:
        return HealthStatus.unknown("Unknown phase " + phase + ".");
    }
  }

  private static HealthStatus namespace(JsonNode ns) {
    String phase = text(ns.path("status"), "phase");
    switch (phase) {
      case "":
      case "Active":
        return HealthStatus.healthy("Active.");
      case "Terminating":
        return HealthStatus.progressing("The namespace is terminating.");
      default:
        return HealthStatus.unknown("Unknown phase " + phase + ".");
    }
  }

  private static HealthStatus customResourceDefinition(JsonNode crd) {
    JsonNode status = crd.path("status");
    JsonNode names = condition(status, "NamesAccepted");
    if (isFalse(names)) {
      return HealthStatus.degraded("The definition's names were not accepted" + because(names));
    }
    if (isTrue(condition(status, "Established"))) {
      return HealthStatus.healthy("Established.");
    }
    return HealthStatus.progressing("Waiting for the definition to be established.");
  }

  /** Unknown kinds: healthy once they exist, unless kstatus's standard conditions say otherwise. */
  private static HealthStatus generic(JsonNode o) {
    JsonNode status = o.path("status");
    JsonNode stalled = condition(status, "Stalled");
    if (isTrue(stalled)) {
      return HealthStatus.degraded("Stalled" + because(stalled));
    }
    JsonNode reconciling = condition(status, "Reconciling");
    if (isTrue(reconciling)) {
      return HealthStatus.progressing("Reconciling" + because(reconciling));
    }
    JsonNode observed = status.path("observedGeneration");
    long generation = o.path("metadata").path("generation").asLong(0);
    if (observed.isNumber() && observed.asLong() < generation) {
      return HealthStatus.progressing("Waiting for the controller to observe generation " + generation
          + " (observed " + observed.asLong() + ").");
    }
    return HealthStatus.healthy("Exists.");
  }

  // --- helpers -----------------------------------------------------------------------------

  /**
   * PROGRESSING when a workload controller has not reported on the current spec: no status at
   * all, or an observed generation behind the object's generation.
   */
  private static Optional<HealthStatus> unobserved(JsonNode o, String controller) {
    if (!hasStatus(o)) {
      return Optional.of(HealthStatus.progressing("Waiting for the " + controller + " controller to report status."));
    }
    long generation = o.path("metadata").path("generation").asLong(0);
    JsonNode observedNode = o.path("status").path("observedGeneration");
    long observed = observedNode.asLong(0);
    if (observed < generation || (!observedNode.isNumber() && generation == 0)) {
      return Optional.of(HealthStatus.progressing("Waiting for the " + controller
          + " controller to observe generation " + Math.max(generation, 1) + " (observed " + observed + ")."));
    }
    return Optional.empty();
  }

  private static boolean hasStatus(JsonNode o) {
    JsonNode status = o.path("status");
    return status.isObject() && status.size() > 0;
  }

  /** The API group of {@code apiVersion} ("" for the core group), or null when absent. */
  private static String group(JsonNode o) {
    JsonNode apiVersion = o.get("apiVersion");
    if (apiVersion == null || !apiVersion.isTextual()) {
      return null;
    }
    String v = apiVersion.asText();
    int slash = v.indexOf('/');
    return slash < 0 ? "" : v.substring(0, slash);
  }

  private static boolean is(String group, String... groups) {
    if (group == null) {
      return true;
    }
    for (String g : groups) {
      if (g.equals(group)) {
        return true;
      }
    }
    return false;
  }

  /** The condition of {@code type} in {@code status.conditions}, or a missing node. */
  private static JsonNode condition(JsonNode status, String type) {
    return find(stream(status.path("conditions")).toList(), type);
  }

  private static JsonNode find(List<JsonNode> conditions, String type) {
    for (JsonNode c : conditions) {
      if (type.equals(text(c, "type"))) {
        return c;
      }
    }
    return MissingNode.getInstance();
  }

  /** Condition status; tolerant of YAML 1.1 booleans (an unquoted True parses as a boolean). */
  private static boolean isTrue(JsonNode condition) {
    return "true".equalsIgnoreCase(condition.path("status").asText(""));
  }

  private static boolean isFalse(JsonNode condition) {
    return "false".equalsIgnoreCase(condition.path("status").asText(""));
  }

  /** {@code ": Reason: message."} from a condition, or {@code "."} when it says nothing. */
  private static String because(JsonNode condition) {
    String s = join(text(condition, "reason"), text(condition, "message"));
    return s.isEmpty() ? "." : ": " + s;
  }

  private static String join(String reason, String message) {
    if (reason.isEmpty()) {
      return message.isEmpty() ? "" : sentence(message);
    }
    return message.isEmpty() ? reason + "." : reason + ": " + sentence(message);
  }

  /** The text ending with a full stop (apiserver messages usually have none). */
  private static String sentence(String text) {
    String t = text.strip();
    return t.endsWith(".") || t.endsWith("!") || t.endsWith("?") ? t : t + ".";
  }

  private static List<JsonNode> hpaConditions(JsonNode hpa) {
    JsonNode conditions = hpa.path("status").path("conditions");
    if (conditions.isArray() && conditions.size() > 0) {
      return stream(conditions).toList();
    }
    String annotation = text(hpa.path("metadata").path("annotations"), HPA_V1_CONDITIONS);
    if (!annotation.isEmpty()) {
      try {
        return stream(JSON.readTree(annotation)).toList();
      } catch (JsonProcessingException e) {
        return List.of();
      }
    }
    return List.of();
  }

  private static Optional<String> stuckContainer(JsonNode status) {
    for (String field : List.of("initContainerStatuses", "containerStatuses")) {
      for (JsonNode c : stream(status.path(field)).toList()) {
        JsonNode waiting = c.path("state").path("waiting");
        String reason = text(waiting, "reason");
        if (STUCK_CONTAINER_REASONS.contains(reason)) {
          String message = text(waiting, "message");
          return Optional.of("Container " + text(c, "name") + " is waiting: " + join(reason, message));
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> loadBalancerAddresses(JsonNode o) {
    List<String> out = new ArrayList<>();
    for (JsonNode i : stream(o.path("status").path("loadBalancer").path("ingress")).toList()) {
      String address = !text(i, "hostname").isEmpty() ? text(i, "hostname") : text(i, "ip");
      if (!address.isEmpty()) {
        out.add(address);
      }
    }
    return out;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    if (!array.isArray()) {
      return Stream.empty();
    }
    return StreamSupport.stream(array.spliterator(), false);
  }

  private static List<String> strings(JsonNode array) {
    return stream(array).map(JsonNode::asText).toList();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() ? v.asText() : "";
  }

  private static String plural(long n, String word) {
    return n == 1 ? word : word + "s";
  }
}
