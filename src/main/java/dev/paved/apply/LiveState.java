package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.ObjectKey;
import java.util.Optional;

/**
 * Where the engine reads live objects from: straight from the apiserver (one GET per object,
 * {@link DirectLiveState}), from one LIST per kind and namespace (the one-shot commands,
 * {@link ListedLiveState}) or from a watch cache (no request at all, for the daemon).
 */
public interface LiveState {

  /** The live object, or empty when it does not exist. Throws when the cluster cannot tell. */
  Optional<JsonNode> get(ObjectKey key);

  /**
   * The live object's resourceVersion, or empty when it does not exist: what tells that it has not
   * changed since it was last compared. A watch cache answers without converting the object.
   */
  default Optional<String> resourceVersion(ObjectKey key) {
    return get(key).map(o -> o.path("metadata").path("resourceVersion").asText(""));
  }
}
