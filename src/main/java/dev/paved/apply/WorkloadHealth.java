package dev.paved.apply;

import static dev.paved.apply.StatusFields.because;
import static dev.paved.apply.StatusFields.condition;
import static dev.paved.apply.StatusFields.hasStatus;
import static dev.paved.apply.StatusFields.isFalse;
import static dev.paved.apply.StatusFields.isTrue;
import static dev.paved.apply.StatusFields.join;
import static dev.paved.apply.StatusFields.plural;
import static dev.paved.apply.StatusFields.sentence;
import static dev.paved.apply.StatusFields.stream;
import static dev.paved.apply.StatusFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link Health} of workloads and pods: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod. Pure. */
final class WorkloadHealth {

  /** Waiting reasons of a container that will not resolve without a change. */
  private static final Set<String> STUCK_CONTAINER_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff",
      "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
      "RunContainerError", "ErrImageNeverPull");

  private WorkloadHealth() {}

  static HealthStatus deployment(JsonNode d) {
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

  static HealthStatus statefulSet(JsonNode s) {
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

  static HealthStatus daemonSet(JsonNode ds) {
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

  static HealthStatus job(JsonNode j) {
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

  static HealthStatus cronJob(JsonNode c) {
    JsonNode spec = c.path("spec");
    String schedule = text(spec, "schedule");
    if (spec.path("suspend").asBoolean(false)) {
      return HealthStatus.healthy("Suspended; no jobs are scheduled.");
    }
    String last = text(c.path("status"), "lastScheduleTime");
    return HealthStatus.healthy("Runs on schedule \"" + schedule + "\""
        + (last.isEmpty() ? "; not run yet." : "; last scheduled at " + last + "."));
  }

  static HealthStatus pod(JsonNode p) {
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
}
