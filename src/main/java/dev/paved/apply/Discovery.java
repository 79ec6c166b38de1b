package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster says about a kind's scope (its API discovery), per group version, remembered
 * once the kind is found. Offline, Paved knows the scope of built-in kinds and of the CRDs in the
 * repo only; an object of any other kind was rendered as namespaced. {@link #mismatch} tells when
 * the cluster disagrees: such an object is refused before anything is written for it, since the
 * checks that ran offline (a team's namespaces, its cluster-scoped kinds) judged it as something
 * it is not.
 */
public final class Discovery {

  private final KubernetesClient client;
  /** apiVersion → kind → namespaced; a group version that does not list the kind is asked again. */
  private final Map<String, Map<String, Boolean>> scopes = new ConcurrentHashMap<>();

  public Discovery(KubernetesClient client) {
    this.client = client;
  }

  /** Whether {@code kind} of {@code apiVersion} is namespaced; empty when the cluster does not serve it (yet). */
  public Optional<Boolean> namespaced(String apiVersion, String kind) {
    Map<String, Boolean> known = scopes.get(apiVersion);
    if (known == null || !known.containsKey(kind)) {
      known = fetch(apiVersion);
      scopes.put(apiVersion, known);
    }
    return Optional.ofNullable(known.get(kind));
  }

  private Map<String, Boolean> fetch(String apiVersion) {
    Map<String, Boolean> out = new HashMap<>();
    try {
      APIResourceList list = client.getApiResources(apiVersion);
      if (list != null && list.getResources() != null) {
        for (APIResource r : list.getResources()) {
          if (!r.getName().contains("/")) {
            out.put(r.getKind(), Boolean.TRUE.equals(r.getNamespaced()));
          }
        }
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    return out;
  }

  /**
   * Why {@code key} may not be applied as rendered, when the cluster's discovery gives its kind
   * the other scope; empty when they agree or the cluster does not know the kind.
   */
  public static Optional<String> mismatch(ObjectKey key, Optional<Boolean> namespaced, String apiVersion) {
    if (namespaced.isEmpty()) {
      return Optional.empty();
    }
    if (key.namespace() != null && !namespaced.get()) {
      return Optional.of(key.kind() + " (" + apiVersion + ") is cluster-scoped on this cluster (API discovery), but "
          + "Paved took it for namespaced offline (it is not built in and no CustomResourceDefinition in the repo "
          + "declares it) and checked it as an object of namespace \"" + key.namespace() + "\"; nothing was written. "
          + "Add the kind's CustomResourceDefinition to the repo so the checks see it as cluster-scoped");
    }
    if (key.namespace() == null && namespaced.get()) {
      return Optional.of(key.kind() + " (" + apiVersion + ") is namespaced on this cluster (API discovery), but "
          + "Paved rendered it without a namespace; nothing was written. Give it a namespace");
    }
    return Optional.empty();
  }

  /** {@link #mismatch} of {@code key} as this cluster's discovery answers it. */
  public Optional<String> mismatch(ObjectKey key) {
    return mismatch(key, namespaced(key.apiVersion(), key.kind()), key.apiVersion());
  }
}
