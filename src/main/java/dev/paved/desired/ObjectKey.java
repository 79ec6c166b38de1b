package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
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

  /** Rank of each kind of {@link #KIND_ORDER}, for the comparison (sorting 100,000 keys compares often). */
  private static final java.util.Map<String, Integer> RANK = rankOf(KIND_ORDER);

  private static java.util.Map<String, Integer> rankOf(List<String> kinds) {
    java.util.Map<String, Integer> m = new java.util.HashMap<>();
    for (int i = kinds.size() - 1; i >= 0; i--) {
      m.put(kinds.get(i), i); // the first index wins, as List.indexOf
    }
    return java.util.Map.copyOf(m);
  }

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
    Integer i = RANK.get(kind);
    return i == null ? KIND_ORDER.size() : i;
  }

  /** Whether this is a cluster-wide "class" kind applied in the first stage. */
  public boolean isClusterDefinition() {
    return kind.equals("Namespace") || kind.equals("CustomResourceDefinition");
  }

  /** By rank, kind, group, namespace (none first, as "") and name. */
  @Override
  public int compareTo(ObjectKey o) {
    int c = Integer.compare(rank(), o.rank());
    if (c != 0) {
      return c;
    }
    c = kind.compareTo(o.kind);
    if (c != 0) {
      return c;
    }
    c = compareGroups(apiVersion, o.apiVersion);
    if (c != 0) {
      return c;
    }
    c = (namespace == null ? "" : namespace).compareTo(o.namespace == null ? "" : o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  /** {@code group(a).compareTo(group(b))} without cutting the strings. */
  private static int compareGroups(String a, String b) {
    int la = Math.max(a.indexOf('/'), 0);
    int lb = Math.max(b.indexOf('/'), 0);
    int n = Math.min(la, lb);
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return x - y;
      }
    }
    return la - lb;
  }

  /** {@code Kind/namespace/name} or {@code Kind/name}. */
  @Override
  public String toString() {
    return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }
}
