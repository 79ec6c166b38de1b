package dev.paved.apply;

import static dev.paved.apply.StatusFields.because;
import static dev.paved.apply.StatusFields.condition;
import static dev.paved.apply.StatusFields.find;
import static dev.paved.apply.StatusFields.isFalse;
import static dev.paved.apply.StatusFields.isTrue;
import static dev.paved.apply.StatusFields.loadBalancerAddresses;
import static dev.paved.apply.StatusFields.plural;
import static dev.paved.apply.StatusFields.stream;
import static dev.paved.apply.StatusFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * {@link Health} of everything but workloads: Service, Ingress, PersistentVolumeClaim,
 * HorizontalPodAutoscaler, Namespace, CustomResourceDefinition, and any other kind (kstatus's
 * conditions). Pure.
 */
final class ResourceHealth {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** v1 HPAs keep their conditions in this annotation (as JSON). */
  static final String HPA_V1_CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

  private ResourceHealth() {}

  static HealthStatus service(JsonNode svc) {
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

  static HealthStatus ingress(JsonNode ing) {
    List<String> addresses = loadBalancerAddresses(ing);
    if (addresses.isEmpty()) {
      return HealthStatus.progressing("Waiting for a load balancer address (is an ingress controller serving "
          + "this ingress class?).");
    }
    return HealthStatus.healthy("Load balancer at " + String.join(", ", addresses) + ".");
  }

  static HealthStatus persistentVolumeClaim(JsonNode pvc) {
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

  static HealthStatus horizontalPodAutoscaler(JsonNode hpa) {
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
        return HealthStatus.degraded((message.contains("missing request for")
            ? "Autoscaling cannot work: a container has no resource request for the metric"
            : "Autoscaling cannot read its metrics (is a metrics server installed?)") + because(active));
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

  static HealthStatus namespace(JsonNode ns) {
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

  static HealthStatus customResourceDefinition(JsonNode crd) {
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
  static HealthStatus generic(JsonNode o) {
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
}
