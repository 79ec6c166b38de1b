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

  /**
   * The API group and resource (plural) of each built-in cluster-scoped kind: what an RBAC rule
   * names (e.g. the ClusterRole rendered for a team's {@code clusterKinds}). One entry per kind of
   * {@link #BUILTIN_CLUSTER_SCOPED} (ApiKindsIT checks them against the apiserver's discovery).
   */
  private static final Map<String, Resource> BUILTIN_CLUSTER_RESOURCES = Map.ofEntries(
      Map.entry("Namespace", new Resource("", "namespaces")),
      Map.entry("Node", new Resource("", "nodes")),
      Map.entry("PersistentVolume", new Resource("", "persistentvolumes")),
      Map.entry("ComponentStatus", new Resource("", "componentstatuses")),
      Map.entry("ClusterRole", new Resource("rbac.authorization.k8s.io", "clusterroles")),
      Map.entry("ClusterRoleBinding", new Resource("rbac.authorization.k8s.io", "clusterrolebindings")),
      Map.entry("CustomResourceDefinition", new Resource("apiextensions.k8s.io", "customresourcedefinitions")),
      Map.entry("StorageClass", new Resource("storage.k8s.io", "storageclasses")),
      Map.entry("CSIDriver", new Resource("storage.k8s.io", "csidrivers")),
      Map.entry("CSINode", new Resource("storage.k8s.io", "csinodes")),
      Map.entry("VolumeAttachment", new Resource("storage.k8s.io", "volumeattachments")),
      Map.entry("VolumeAttributesClass", new Resource("storage.k8s.io", "volumeattributesclasses")),
      Map.entry("PriorityClass", new Resource("scheduling.k8s.io", "priorityclasses")),
      Map.entry("IngressClass", new Resource("networking.k8s.io", "ingressclasses")),
      Map.entry("IPAddress", new Resource("networking.k8s.io", "ipaddresses")),
      Map.entry("ServiceCIDR", new Resource("networking.k8s.io", "servicecidrs")),
      Map.entry("RuntimeClass", new Resource("node.k8s.io", "runtimeclasses")),
      Map.entry("APIService", new Resource("apiregistration.k8s.io", "apiservices")),
      Map.entry("MutatingWebhookConfiguration",
          new Resource("admissionregistration.k8s.io", "mutatingwebhookconfigurations")),
      Map.entry("ValidatingWebhookConfiguration",
          new Resource("admissionregistration.k8s.io", "validatingwebhookconfigurations")),
      Map.entry("ValidatingAdmissionPolicy", new Resource("admissionregistration.k8s.io", "validatingadmissionpolicies")),
      Map.entry("ValidatingAdmissionPolicyBinding",
          new Resource("admissionregistration.k8s.io", "validatingadmissionpolicybindings")),
      Map.entry("MutatingAdmissionPolicy", new Resource("admissionregistration.k8s.io", "mutatingadmissionpolicies")),
      Map.entry("MutatingAdmissionPolicyBinding",
          new Resource("admissionregistration.k8s.io", "mutatingadmissionpolicybindings")),
      Map.entry("CertificateSigningRequest", new Resource("certificates.k8s.io", "certificatesigningrequests")),
      Map.entry("ClusterTrustBundle", new Resource("certificates.k8s.io", "clustertrustbundles")),
      Map.entry("FlowSchema", new Resource("flowcontrol.apiserver.k8s.io", "flowschemas")),
      Map.entry("PriorityLevelConfiguration", new Resource("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations")),
      Map.entry("DeviceClass", new Resource("resource.k8s.io", "deviceclasses")),
      Map.entry("ResourceSlice", new Resource("resource.k8s.io", "resourceslices")));

  private static final ApiKinds BUILTIN = new ApiKinds(Map.of(), Map.of());

  /** An API group and one of its resources (the plural of a kind), as an RBAC rule names them. */
  public record Resource(String group, String plural) implements Comparable<Resource> {
    @Override
    public int compareTo(Resource o) {
      int c = group.compareTo(o.group);
      return c != 0 ? c : plural.compareTo(o.plural);
    }
  }

  /** Kinds declared by CRDs: kind name to cluster-scoped. */
  private final Map<String, Boolean> custom;
  /** Kinds declared by CRDs: kind name to the (group, plural) of every CRD declaring it. */
  private final Map<String, Set<Resource>> customResources;

  private ApiKinds(Map<String, Boolean> custom, Map<String, Set<Resource>> customResources) {
    this.custom = Collections.unmodifiableMap(custom);
    this.customResources = Collections.unmodifiableMap(customResources);
  }

  /** The built-in kinds only. */
  public static ApiKinds builtin() {
    return BUILTIN;
  }

  /** The built-in kinds and those of the CustomResourceDefinitions among {@code manifests}. */
  public static ApiKinds of(Collection<? extends Collection<RawManifest>> manifests) {
    Map<String, Boolean> custom = new HashMap<>();
    Map<String, Set<Resource>> resources = new HashMap<>();
    for (Collection<RawManifest> ofService : manifests) {
      for (RawManifest m : ofService) {
        JsonNode t = m.document().tree();
        if ("CustomResourceDefinition".equals(t.path("kind").asText())) {
          String kind = t.path("spec").path("names").path("kind").asText("");
          if (!kind.isEmpty() && !BUILTIN_CLUSTER_SCOPED.contains(kind) && !BUILTIN_NAMESPACED.contains(kind)) {
            custom.put(kind, "Cluster".equals(t.path("spec").path("scope").asText()));
            String group = t.path("spec").path("group").asText("");
            String plural = t.path("spec").path("names").path("plural").asText("");
            if (!group.isEmpty() && !plural.isEmpty()) {
              resources.computeIfAbsent(kind, k -> new TreeSet<>()).add(new Resource(group, plural));
            }
          }
        }
      }
    }
    return custom.isEmpty() ? BUILTIN : new ApiKinds(custom, resources);
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

  /**
   * The API resources of cluster-scoped {@code kind} known offline, sorted: the built-in one, or those of the repo's CRDs declaring it (with their group and plural);
   * empty when neither says.
   */
  public Set<Resource> resources(String kind) {
    Resource builtin = BUILTIN_CLUSTER_RESOURCES.get(kind);
    if (builtin != null) {
      return Set.of(builtin);
    }
    return Collections.unmodifiableSet(customResources.getOrDefault(kind, Set.of()));
  }

  /** The kinds the CRDs of the repo declare (kind name to cluster-scoped). */
  public Map<String, Boolean> custom() {
    return custom;
  }
}
