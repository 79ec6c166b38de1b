package dev.paved.apply;

import dev.paved.apply.InventoryStore.InventoryException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one inventory in an order that survives a crash at any point: (1) the new shards are
 * created, (2) the index is replaced with the {@code resourceVersion} last read or written (a
 * stale or concurrent writer fails, nothing recorded), (3) the shards no index names any more are
 * deleted. A writer killed at any point leaves the previous index and its shards intact;
 * leftovers are collected by the next write. The write guard ({@link InventoryStore.WriteGuard})
 * is asked again before the index is replaced: the shards may have taken a while.
 */
final class InventoryWriter {

  private static final Logger LOG = LoggerFactory.getLogger(InventoryWriter.class);

  private final KubernetesClient client;
  private final InventoryStore.Options options;
  private final String repo;
  private final Map<String, String> labels;

  /** {@code labels}: carried by every index written, besides its own. */
  InventoryWriter(KubernetesClient client, InventoryStore.Options options, String repo, Map<String, String> labels) {
    this.client = client;
    this.options = options;
    this.repo = repo;
    this.labels = labels;
  }

  /**
   * Writes {@code inventory} at {@code generation} as index {@code index}, replacing the index at
   * {@code resourceVersion} (empty: none); returns the written index's resourceVersion. Throws
   * {@link InventoryException} ({@link InventoryException#stale()} when another writer changed the
   * index meanwhile, {@link InventoryException#refused()} when the apiserver refuses a write), or
   * {@link KubernetesClientException} when it cannot be reached.
   */
  String write(String index, Inventory inventory, String resourceVersion, long generation) {
    String environment = inventory.environment();
    List<String> names = new ArrayList<>();
    for (String shard : InventoryShards.encode(inventory.objects(), options.maxShardChars())) {
      ConfigMap cm = InventoryIndex.shard(index, generation, shard);
      try {
        configMaps().resource(cm).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) { // 409: left by a killed writer, same content
          throw refusedOr(e, "shard " + cm.getMetadata().getName() + " of the inventory of " + environment);
        }
      }
      names.add(cm.getMetadata().getName());
      options.afterShard().written(names.size());
    }
    InventoryStore.checkGuard(options, environment); // again: the shards may have taken a while
    ConfigMap cm = new InventoryIndex(inventory.commit(), generation, inventory.objects().size(), names)
        .toConfigMap(index, environment, repo, resourceVersion, labels, options.writer());
    ConfigMap written;
    try {
      written = resourceVersion.isEmpty() ? configMaps().resource(cm).create() : configMaps().resource(cm).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw InventoryException.stale("the inventory of " + environment + " was changed by another writer since it"
            + " was read; nothing recorded (the next sync reads it again)", e);
      }
      throw refusedOr(e, "the index of the inventory of " + environment);
    }
    collect(environment, index, generation, new HashSet<>(names));
    return written.getMetadata().getResourceVersion();
  }

  /**
   * Deletes index {@code index}'s shards that it does not name now, up to its generation: those
   * of earlier indexes, and of writers killed or beaten at this generation (their index write
   * fails: it no longer has the resourceVersion it read). A newer generation's shards are a
   * writer's that read this index, not yet indexed: kept. Failures wait for the next write.
   */
  private void collect(String environment, String index, long generation, Set<String> keep) {
    try {
      for (ConfigMap s : configMaps().withLabel(InventoryIndex.SHARD_OF, InventoryIndex.shardsOf(index)).list()
          .getItems()) {
        String name = s.getMetadata().getName();
        if (!keep.contains(name) && InventoryIndex.shardGeneration(s) <= generation) {
          configMaps().withName(name).delete();
        }
      }
    } catch (KubernetesClientException | NumberFormatException e) {
      LOG.warn("old shards of the inventory of {} not removed yet (the next write tries again): {}", environment,
          e.getMessage());
    }
  }

  /** A refusal sending the same write again cannot help, as such; anything else as it is. */
  private static RuntimeException refusedOr(KubernetesClientException e, String what) {
    int code = e.getCode();
    if (code >= 400 && code < 500 && code != 408 && code != 409 && code != 429) {
      String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : e.getMessage();
      return new InventoryException("the apiserver refuses " + what + " (HTTP " + code + "): " + reason, true, e);
    }
    return e;
  }

  /** Addressed explicitly: the client's own namespace, if it has one, is not the store's. */
  private NonNamespaceOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> configMaps() {
    return client.configMaps().inNamespace(InventoryStore.NAMESPACE);
  }
}
