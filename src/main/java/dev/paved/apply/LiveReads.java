package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Reads a live object before Paved writes or deletes it. A watch cache ({@link
 * InformerLiveState}) only sees objects with Paved's labels, so its "absent" is asked again of the
 * apiserver: an object that exists without them (or lost its ownership mark) must not be taken
 * for absent, and silently taken over or reported gone.
 */
final class LiveReads {

  private final LiveState live;
  private final DirectLiveState direct;

  LiveReads(LiveState live, KubernetesClient client) {
    this.live = live;
    this.direct = live instanceof DirectLiveState d ? d : new DirectLiveState(client);
  }

  /** The live object, or empty when the apiserver has none. Throws when the cluster cannot tell. */
  Optional<JsonNode> get(ObjectKey key) {
    Optional<JsonNode> current = live.get(key);
    if (current.isEmpty() && live instanceof InformerLiveState) {
      current = direct.get(key);
    }
    return current;
  }
}
