package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How an inventory is laid out in ConfigMaps: what is written is what is read back. */
class InventoryIndexTest {

  private static final String INDEX = InventoryStore.name("shop", "prod");

  @Test
  void anIndexWrittenIsReadBackAsItWas() {
    InventoryIndex index = new InventoryIndex("c0ffee", 7, 12, List.of(INDEX + "-7-aaaaaaaaaa", INDEX + "-7-bbbbbbbbbb"));
    ConfigMap cm = index.toConfigMap(INDEX, "prod", "shop", "41", Map.of("paved.dev/source", "main"), "replica-a");

    assertThat(cm.getMetadata().getNamespace()).isEqualTo(InventoryStore.NAMESPACE);
    assertThat(cm.getMetadata().getResourceVersion()).isEqualTo("41");
    assertThat(cm.getMetadata().getLabels()).containsEntry(InventoryStore.ENVIRONMENT_LABEL, "prod")
        .containsEntry(Labels.REPO, "shop").containsEntry("paved.dev/source", "main")
        .containsEntry(Labels.MANAGED_BY, Labels.MANAGER);
    assertThat(cm.getMetadata().getAnnotations()).containsEntry(InventoryStore.WRITTEN_BY, "replica-a");
    assertThat(InventoryIndex.parse(INDEX, cm.getData())).isEqualTo(index);
    assertThat(InventoryIndex.single("prod", cm.getData())).as("not the single-ConfigMap format").isEmpty();
    assertThat(InventoryIndex.generation(cm.getData())).isEqualTo(7);

    ConfigMap created = index.toConfigMap(INDEX, "prod", "shop", "", Map.of(), null);
    assertThat(created.getMetadata().getResourceVersion()).as("created, not replaced").isNull();
    assertThat(created.getMetadata().getAnnotations()).doesNotContainKey(InventoryStore.WRITTEN_BY);
  }

  @Test
  void anIndexOfAnUnknownFormatOrTheWrongCountIsMalformed() {
    assertThatThrownBy(() -> InventoryIndex.parse(INDEX, Map.of("format", "sharded-zstd-v9", "shards", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed inventory index paved-system/" + INDEX + ": unknown format \"sharded-zstd-v9\"");
    InventoryIndex index = InventoryIndex.parse(INDEX, Map.of("format", "sharded-gzip-v1", "count", "3",
        "shards", "a\n\n b \n"));
    assertThat(index.shards()).containsExactly("a", "b");
    assertThat(index.commit()).isEmpty();
    assertThat(index.generation()).isZero();
    index.checkCount(INDEX, 3);
    assertThatThrownBy(() -> index.checkCount(INDEX, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed inventory paved-system/" + INDEX + ": its shards hold 2 objects, its index says 3");
  }

  @Test
  void aShardIsNamedByItsContentAndLabelledWithItsIndexAndGeneration() {
    Set<ObjectKey> objects = InventoryShardsTest.platform(10);
    String encoded = InventoryShards.encode(objects, 1 << 20).get(0);
    ConfigMap shard = InventoryIndex.shard(INDEX, 3, encoded);

    assertThat(shard.getMetadata().getName()).startsWith(INDEX + "-3-")
        .isEqualTo(InventoryIndex.shard(INDEX, 3, encoded).getMetadata().getName())
        .isNotEqualTo(InventoryIndex.shard(INDEX, 4, encoded).getMetadata().getName())
        .isNotEqualTo(InventoryIndex.shard(INDEX, 3, InventoryShards.encode(InventoryShardsTest.platform(11), 1 << 20)
            .get(0)).getMetadata().getName());
    assertThat(shard.getMetadata().getLabels()).containsEntry(InventoryIndex.SHARD_OF, InventoryIndex.shardsOf(INDEX));
    assertThat(InventoryIndex.shardsOf(INDEX)).isNotEqualTo(InventoryIndex.shardsOf(InventoryStore.name("shop", "dev")));
    assertThat(InventoryIndex.shardGeneration(shard)).isEqualTo(3);
    assertThat(InventoryIndex.objects(shard)).contains(objects);
    assertThat(InventoryIndex.objects(null)).as("a missing shard").isEmpty();
    assertThat(InventoryIndex.objects(new ConfigMap())).as("a shard holding nothing").isEmpty();
  }

  @Test
  void theSingleConfigMapInventoryOfEarlierVersionsIsReadFromTheIndexItself() {
    Set<ObjectKey> objects = InventoryShardsTest.platform(2);
    assertThat(InventoryIndex.single("prod", Map.of("commit", "c1", "objects", Inventory.encode(objects))))
        .contains(new Inventory("prod", "c1", objects));
  }
}
