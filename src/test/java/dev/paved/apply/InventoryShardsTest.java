package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.desired.ObjectKey;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class InventoryShardsTest {

  /** The objects of {@code services} services as the engine benchmark renders them (4 each, 5 team namespaces). */
  static Set<ObjectKey> platform(int services) {
    String[] teams = {"payments", "storefront", "platform", "data", "search"};
    Set<ObjectKey> out = new TreeSet<>();
    for (int i = 0; i < services; i++) {
      String ns = teams[i % teams.length] + "-production";
      out.add(new ObjectKey("apps/v1", "Deployment", ns, "svc-" + i));
      out.add(new ObjectKey("v1", "Service", ns, "svc-" + i));
      out.add(new ObjectKey("v1", "ServiceAccount", ns, "svc-" + i));
      out.add(new ObjectKey("networking.k8s.io/v1", "Ingress", ns, "svc-" + i));
    }
    for (String t : teams) {
      out.add(new ObjectKey("v1", "Namespace", null, t + "-production"));
    }
    return out;
  }

  @Test
  void shardsHoldEveryObjectOnceAndStayUnderTheLimit() {
    Set<ObjectKey> objects = platform(2_000);
    List<String> shards = InventoryShards.encode(objects, 4_096);

    assertThat(shards.size()).isGreaterThan(3);
    assertThat(shards.stream().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(4_096);
    Set<ObjectKey> back = new TreeSet<>();
    int total = 0;
    for (String s : shards) {
      Set<ObjectKey> part = InventoryShards.decode(s);
      total += part.size();
      back.addAll(part);
    }
    assertThat(total).isEqualTo(objects.size());
    assertThat(back).isEqualTo(objects);
  }

  @Test
  void anEmptyInventoryIsOneEmptyShard() {
    List<String> shards = InventoryShards.encode(Set.of(), 1_000);
    assertThat(shards.size()).isEqualTo(1);
    assertThat(InventoryShards.decode(shards.get(0))).isEmpty();
  }

  @Test
  void aHundredThousandObjectsFitInOneDefaultShard() {
    // 25,000 services: 100,005 objects, the figure the class comment states.
    Set<ObjectKey> objects = platform(25_000);
    List<String> shards = InventoryShards.encode(objects, InventoryStore.Options.DEFAULT_MAX_SHARD_CHARS);
    int chars = shards.stream().mapToInt(String::length).sum();
    System.out.printf("inventory of %d objects: %d shard(s), %d base64 chars (%.2f per object: %d objects per"
        + " 512 KiB shard)%n", objects.size(), shards.size(), chars, chars / (double) objects.size(),
        (long) (InventoryStore.Options.DEFAULT_MAX_SHARD_CHARS / (chars / (double) objects.size())));
    assertThat(shards.size()).isEqualTo(1);
  }

  @Test
  void aLineTooLongForAnyShardIsRefused() {
    Set<ObjectKey> one = Set.of(new ObjectKey("v1", "ConfigMap", "ns", "x".repeat(200)));
    assertThatThrownBy(() -> InventoryShards.encode(one, 50)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit");
  }

  @Test
  void aDamagedShardIsAnErrorNotNothing() {
    assertThatThrownBy(() -> InventoryShards.decode("bm90IGd6aXA=")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed inventory shard");
  }
}
