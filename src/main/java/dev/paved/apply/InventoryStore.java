package dev.paved.apply;

import dev.paved.desired.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Keeps each target's {@link Inventory} in the cluster itself, as ConfigMap
 * {@code paved-inventory-<environment>} in namespace {@code paved-system}, so that a restarted
 * daemon on an empty disk knows exactly what it owns. Reads throw when the cluster cannot
 * answer: an unreadable inventory is never taken for an empty one.
 */
public final class InventoryStore {

  public static final String NAMESPACE = "paved-system";
  private static final String PREFIX = "paved-inventory-";

  private final KubernetesClient client;
  private final String fieldManager;

  public InventoryStore(KubernetesClient client, String fieldManager) {
    this.client = client;
    this.fieldManager = fieldManager;
  }

  /** The inventory of {@code environment}, or empty when Paved never applied it here. */
  public Optional<Inventory> read(String environment) {
    ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(PREFIX + environment).get();
    if (cm == null || cm.getData() == null) {
      return Optional.empty();
    }
    return Optional.of(new Inventory(environment, cm.getData().getOrDefault("commit", ""),
        Inventory.decode(cm.getData().getOrDefault("objects", ""))));
  }

  public void write(Inventory inventory) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().build())
        .fieldManager(fieldManager).forceConflicts().serverSideApply();
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(PREFIX + inventory.environment())
        .withNamespace(NAMESPACE).addToLabels(Labels.MANAGED_BY, Labels.MANAGER)
        .addToLabels("paved.dev/inventory", inventory.environment()).endMetadata()
        .addToData("commit", inventory.commit()).addToData("objects", inventory.encode()).build();
    // Addressed explicitly: client.resource(cm) would use the client's namespace if it has one.
    client.configMaps().inNamespace(NAMESPACE).resource(cm).fieldManager(fieldManager).forceConflicts()
        .serverSideApply();
  }
}
