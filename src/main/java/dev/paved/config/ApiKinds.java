package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Declarations.RawManifest;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kubernetes kinds Paved knows offline, and whether each is namespaced: the built-in kinds
 * plus those declared by the CustomResourceDefinitions of the repo's raw manifests. A cluster
 * that is reachable knows better (its discovery): the apply side checks again with what the
 * apiserver says.
 */
public final class ApiKinds {

  /** Built-in cluster-scoped kinds. */
  public static final Set<String> BUILTIN_CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume",
      "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass",
      "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "APIService",
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
      "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
      "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration", "ComponentStatus",
      "DeviceClass", "ResourceSlice", "ClusterTrustBundle", "IPAddress", "ServiceCIDR", "VolumeAttributesClass");

  /** Built-in namespaced kinds. */
  public static final Set<String> BUILTIN_NAMESPACED = Set.of("Pod", "ConfigMap", "Secret", "Service",
      "ServiceAccount", "Endpoints", "EndpointSlice", "Event", "LimitRange", "ResourceQuota",
      "PersistentVolumeClaim", "PodTemplate", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet",
      "ReplicaSet", "ControllerRevision", "Job", "CronJob", "Ingress", "NetworkPolicy", "HorizontalPodAutoscaler",
      "PodDisruptionBudget", "Role", "RoleBinding", "Lease", "CSIStorageCapacity", "ResourceClaim",
      "ResourceClaimTemplate");

  private static final ApiKinds BUILTIN = new ApiKinds(Map.of());

  /** Kinds declared by CRDs: kind name to cluster-scoped. */
  private final Map<String, Boolean> custom;

  private ApiKinds(Map<String, Boolean> custom) {
    this.custom = Collections.unmodifiableMap(custom);
  }

  /** The built-in kinds only. */
  public static ApiKinds builtin() {
    return BUILTIN;
  }

  /** The built-in kinds and those of the CustomResourceDefinitions among {@code manifests}. */
  public static ApiKinds of(Collection<? extends Collection<RawManifest>> manifests) {
    Map<String, Boolean> custom = new HashMap<>();
    for (Collection<RawManifest> ofService : manifests) {
      for (RawManifest m : ofService) {
        JsonNode t = m.document().tree();
        if ("CustomResourceDefinition".equals(t.path("kind").asText())) {
          String kind = t.path("spec").path("names").path("kind").asText("");
          if (!kind.isEmpty() && !BUILTIN_CLUSTER_SCOPED.contains(kind) && !BUILTIN_NAMESPACED.contains(kind)) {
            custom.put(kind, "Cluster".equals(t.path("spec").path("scope").asText()));
          }
        }
      }
    }
    return custom.isEmpty() ? BUILTIN : new ApiKinds(custom);
  }

  /** Whether {@code kind} is cluster-scoped (true), namespaced (false), or unknown offline (empty). */
  public Optional<Boolean> clusterScoped(String kind) {
    if (BUILTIN_CLUSTER_SCOPED.contains(kind)) {
      return Optional.of(true);
    }
    if (BUILTIN_NAMESPACED.contains(kind)) {
      return Optional.of(false);
    }
    return Optional.ofNullable(custom.get(kind));
  }

  /** Whether {@code kind} is known to be cluster-scoped (an unknown kind is taken as namespaced). */
  public boolean isClusterScoped(String kind) {
    return clusterScoped(kind).orElse(false);
  }

  public boolean known(String kind) {
    return clusterScoped(kind).isPresent();
  }

  /** Every known kind, sorted (for suggestions). */
  public Set<String> names() {
    Set<String> all = new TreeSet<>(BUILTIN_CLUSTER_SCOPED);
    all.addAll(BUILTIN_NAMESPACED);
    all.addAll(custom.keySet());
    return all;
  }

  /** The kinds the CRDs of the repo declare (kind name to cluster-scoped). */
  public Map<String, Boolean> custom() {
    return custom;
  }
}
