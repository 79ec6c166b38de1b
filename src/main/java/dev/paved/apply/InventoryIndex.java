package dev.paved.apply;

import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How an inventory is laid out in ConfigMaps, pure. The index ({@link InventoryStore#name}) holds
 * {@code format}, {@code commit}, {@code generation}, {@code count} (of objects) and {@code
 * shards} (one shard name a line); each shard ({@code <index>-<generation>-<hash>}) holds {@link
 * InventoryShards}' encoding of some of the objects in {@code binaryData}, and is labelled with
 * its index (a hash of the index's name: names may outgrow a label) and its generation. The
 * single-ConfigMap inventories of earlier versions held their objects in the index itself
 * ({@link #single}).
 */
record InventoryIndex(String commit, long generation, int count, List<String> shards) {

  /** Which index a shard belongs to (a hash of the index's name: names may outgrow a label). */
  static final String SHARD_OF = "paved.dev/inventory-shard-of";
  static final String GENERATION = "paved.dev/inventory-generation";
  private static final String SHARD_KEY = "objects.gz";
  private static final String FORMAT = "sharded-gzip-v1";

  InventoryIndex {
    shards = List.copyOf(shards);
  }

  /** The single-ConfigMap inventory of earlier versions in index {@code data}, if it is one. */
  static Optional<Inventory> single(String environment, Map<String, String> data) {
    return data.containsKey("objects")
        ? Optional.of(new Inventory(environment, data.getOrDefault("commit", ""), Inventory.decode(data.get("objects"))))
        : Optional.empty();
  }

  /** The index in {@code data} (of ConfigMap {@code name}); throws {@link IllegalArgumentException} when it is not one. */
  static InventoryIndex parse(String name, Map<String, String> data) {
    if (!FORMAT.equals(data.get("format"))) {
      throw new IllegalArgumentException("malformed inventory index " + InventoryStore.NAMESPACE + "/" + name
          + ": unknown format \"" + data.get("format") + "\"");
    }
    List<String> shards = new ArrayList<>();
    for (String line : data.getOrDefault("shards", "").split("\n")) {
      if (!line.isBlank()) {
        shards.add(line.strip());
      }
    }
    return new InventoryIndex(data.getOrDefault("commit", ""), generation(data), Integer.parseInt(
        data.getOrDefault("count", "-1")), shards);
  }

  /** The generation an index's {@code data} records (0: none). */
  static long generation(Map<String, String> data) {
    return data == null ? 0 : Long.parseLong(data.getOrDefault("generation", "0"));
  }

  /** Throws when the shards read hold another number of objects than the index says. */
  void checkCount(String name, int read) {
    if (read != count) {
      throw new IllegalArgumentException("malformed inventory " + InventoryStore.NAMESPACE + "/" + name
          + ": its shards hold " + read + " objects, its index says " + (count < 0 ? "nothing" : count));
    }
  }

  /**
   * The index ConfigMap {@code name} of {@code environment} of {@code repo}, replacing the one at
   * {@code resourceVersion} (empty: created), carrying {@code labels} too, and {@link
   * InventoryStore#WRITTEN_BY} {@code writer} (null: not recorded).
   */
  ConfigMap toConfigMap(String name, String environment, String repo, String resourceVersion,
      Map<String, String> labels, String writer) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(InventoryStore.NAMESPACE)
        .withResourceVersion(resourceVersion.isEmpty() ? null : resourceVersion)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToLabels(InventoryStore.ENVIRONMENT_LABEL, environment)
        .addToLabels(labels).addToLabels(Labels.REPO, repo)
        .addToAnnotations(writer == null ? Map.of() : Map.of(InventoryStore.WRITTEN_BY, writer)).endMetadata()
        .addToData("format", FORMAT).addToData("commit", commit).addToData("generation", Long.toString(generation))
        .addToData("count", Integer.toString(count)).addToData("shards", String.join("\n", shards)).build();
  }

  /** The label value {@link #SHARD_OF} of index {@code name}'s shards. */
  static String shardsOf(String name) {
    return InventoryShards.hash(name);
  }

  /** The shard ConfigMap of index {@code name} at {@code generation} holding {@code shard}; named by its content. */
  static ConfigMap shard(String name, long generation, String shard) {
    String shardName = name + "-" + generation + "-" + InventoryShards.hash(Long.toString(generation), shard);
    return new ConfigMapBuilder().withNewMetadata().withName(shardName).withNamespace(InventoryStore.NAMESPACE)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToLabels(SHARD_OF, shardsOf(name))
        .addToLabels(GENERATION, Long.toString(generation)).addToAnnotations("paved.dev/inventory-index", name)
        .endMetadata().addToBinaryData(SHARD_KEY, shard).build();
  }

  /** The objects shard ConfigMap {@code shard} holds; empty when it is missing or holds none. */
  static Optional<Set<ObjectKey>> objects(ConfigMap shard) {
    if (shard == null || shard.getBinaryData() == null || !shard.getBinaryData().containsKey(SHARD_KEY)) {
      return Optional.empty();
    }
    return Optional.of(InventoryShards.decode(shard.getBinaryData().get(SHARD_KEY)));
  }

  /** The generation a shard ConfigMap is labelled with (0: none). */
  static long shardGeneration(ConfigMap shard) {
    Map<String, String> labels = shard.getMetadata().getLabels();
    return Long.parseLong(labels == null ? "0" : labels.getOrDefault(GENERATION, "0"));
  }
}
