package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

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
 *   <li><b>Service</b> of type LoadBalancer, and <b>Ingress</b>: without an address in {@code
 *       status.loadBalancer.ingress}: PROGRESSING (an Ingress: "is an ingress controller serving
 *       this ingress class?"), as in Argo CD; otherwise HEALTHY.
 *   <li><b>PersistentVolumeClaim</b>: Bound: HEALTHY; Pending: PROGRESSING (normal with {@code
 *       WaitForFirstConsumer} until a pod uses it); Lost: DEGRADED.
 *   <li><b>HorizontalPodAutoscaler</b> (v2 conditions, or v1's conditions annotation): no
 *       status yet: PROGRESSING; {@code AbleToScale=False} (it cannot read or update its target):
 *       DEGRADED; {@code ScalingActive=False}, e.g. metrics that cannot be fetched ({@code
 *       FailedGet*Metric}: no metrics server, or a container without a resource request for the
 *       metric) or an invalid selector: DEGRADED, with the condition's message, as in Argo CD;
 *       but with reason {@code ScalingDisabled} (target scaled to zero): HEALTHY; otherwise
 *       HEALTHY.
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

  /** v1 HPAs keep their conditions in this annotation (as JSON). */
  static final String HPA_V1_CONDITIONS = ResourceHealth.HPA_V1_CONDITIONS;

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
    if (!StatusFields.text(meta, "deletionTimestamp").isEmpty()) {
      List<String> finalizers = StatusFields.strings(meta.path("finalizers"));
      return HealthStatus.progressing(finalizers.isEmpty() ? "Being deleted."
          : "Being deleted; waiting for finalizers " + String.join(", ", finalizers) + ".");
    }
    String kind = StatusFields.text(live, "kind");
    if (kind.isEmpty()) {
      return HealthStatus.unknown("The object has no kind.");
    }
    String group = group(live);
    switch (kind) {
      case "Deployment":
        if (is(group, "apps", "extensions")) {
          return WorkloadHealth.deployment(live);
        }
        break;
      case "StatefulSet":
        if (is(group, "apps")) {
          return WorkloadHealth.statefulSet(live);
        }
        break;
      case "DaemonSet":
        if (is(group, "apps", "extensions")) {
          return WorkloadHealth.daemonSet(live);
        }
        break;
      case "Job":
        if (is(group, "batch")) {
          return WorkloadHealth.job(live);
        }
        break;
      case "CronJob":
        if (is(group, "batch")) {
          return WorkloadHealth.cronJob(live);
        }
        break;
      case "Service":
        if (is(group, "")) {
          return ResourceHealth.service(live);
        }
        break;
      case "Ingress":
        if (is(group, "networking.k8s.io", "extensions")) {
          return ResourceHealth.ingress(live);
        }
        break;
      case "PersistentVolumeClaim":
        if (is(group, "")) {
          return ResourceHealth.persistentVolumeClaim(live);
        }
        break;
      case "HorizontalPodAutoscaler":
        if (is(group, "autoscaling")) {
          return ResourceHealth.horizontalPodAutoscaler(live);
        }
        break;
      case "Pod":
        if (is(group, "")) {
          return WorkloadHealth.pod(live);
        }
        break;
      case "Namespace":
        if (is(group, "")) {
          return ResourceHealth.namespace(live);
        }
        break;
      case "CustomResourceDefinition":
        if (is(group, "apiextensions.k8s.io")) {
          return ResourceHealth.customResourceDefinition(live);
        }
        break;
      default:
        break;
    }
    return ResourceHealth.generic(live);
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
}
