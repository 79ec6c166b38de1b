package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;

/**
 * Identifies a Kubernetes object: {@code Kind/namespace/name} (or {@code Kind/name} when
 * cluster-scoped), with its API group. Ordered for apply: Namespaces and CRDs first, then
 * the kinds others depend on, then workloads.
 */
public record ObjectKey(String apiVersion, String kind, String namespace, String name)
    implements Comparable<ObjectKey> {

  private static final List<String> KIND_ORDER = List.of("CustomResourceDefinition", "Namespace",
      "ResourceQuota", "LimitRange", "PriorityClass", "ServiceAccount", "Secret", "ConfigMap", "StorageClass",
      "PersistentVolume", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
      "NetworkPolicy", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
      "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress");

  private static final Comparator<ObjectKey> ORDER = Comparator.comparingInt(ObjectKey::rank)
      .thenComparing(ObjectKey::kind).thenComparing(ObjectKey::group)
      .thenComparing(k -> k.namespace == null ? "" : k.namespace).thenComparing(ObjectKey::name);

  public static ObjectKey of(JsonNode manifest) {
    JsonNode meta = manifest.path("metadata");
    String ns = meta.path("namespace").asText(null);
    return new ObjectKey(manifest.path("apiVersion").asText(), manifest.path("kind").asText(),
        ns == null || ns.isEmpty() ? null : ns, meta.path("name").asText());
  }

  /** The API group ({@code ""} for the core group). */
  public String group() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  private int rank() {
    int i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.size() : i;
  }

  /** Whether this is a cluster-wide "class" kind applied in the first stage. */
  public boolean isClusterDefinition() {
    return kind.equals("Namespace") || kind.equals("CustomResourceDefinition");
  }

  @Override
  public int compareTo(ObjectKey o) {
    return ORDER.compare(this, o);
  }

  /** {@code Kind/namespace/name} or {@code Kind/name}. */
  @Override
  public String toString() {
    return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }
}
