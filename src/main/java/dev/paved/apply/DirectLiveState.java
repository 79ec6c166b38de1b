package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Reads each live object with a GET. */
public final class DirectLiveState implements LiveState {

  private final KubernetesClient client;

  public DirectLiveState(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Optional<JsonNode> get(ObjectKey key) {
    var op = client.genericKubernetesResources(key.apiVersion(), key.kind());
    GenericKubernetesResource live = key.namespace() == null ? op.withName(key.name()).get()
        : op.inNamespace(key.namespace()).withName(key.name()).get();
    return Optional.ofNullable(live).map(Manifests::toTree);
  }
}
