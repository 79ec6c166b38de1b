package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.desired.ObjectKey;
import dev.paved.testing.Await;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** An inventory sharded over several ConfigMaps, on the real apiserver: written crash-safely, read whole. */
@RealCluster
class InventoryShardsIT {

  /** Shards of at most 200 base64 characters: a handful of objects each. */
  private static final InventoryStore.Options SMALL = new InventoryStore.Options(200, n -> {});

  private static ConfigMap index(KubernetesClient client, String environment) {
    return client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name(environment)).get();
  }

  private static List<String> named(ConfigMap index) {
    return Arrays.stream(index.getData().get("shards").split("\n")).toList();
  }

  /** Every shard ConfigMap of the environment's inventory, indexed or not. */
  private static Set<String> shards(KubernetesClient client, String environment) {
    Set<String> out = new TreeSet<>();
    client.configMaps().inNamespace(InventoryStore.NAMESPACE).list().getItems().stream()
        .map(cm -> cm.getMetadata().getName())
        .filter(n -> n.startsWith(InventoryStore.name(environment) + "-")).forEach(out::add);
    return out;
  }

  private static Process inventoryProcess(ControlPlane cp, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
        InventoryProcess.class.getName(), args[0], cp.kubeconfig().toString()));
    command.addAll(Arrays.asList(args).subList(1, args.length));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The first line the process prints that starts with {@code prefix} (null when it ends first). */
  private static String lineStartingWith(Process p, String prefix) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder all = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
      all.append(line).append('\n');
    }
    throw new AssertionError("the process ended without printing \"" + prefix + "\":\n" + all);
  }

  @Test
  void anInventoryOfSeveralShardsSurvivesAWriterKilledBetweenTwoShards(KubernetesClient client, ControlPlane cp)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace());
    for (int i = 0; i < 16; i++) {
      p.service("svc-" + i, "1.0.0");
    }
    try (var engine = LivePlatform.engine(client, SMALL)) {
      assertThat(engine.sync(p, "c1").synced()).isTrue();
    }
    ConfigMap first = index(client, p.environment);
    List<String> firstShards = named(first);
    assertThat(firstShards.size()).isGreaterThan(2);
    assertThat(shards(client, p.environment)).containsExactlyInAnyOrderElementsOf(firstShards);
    Set<ObjectKey> synced = new TreeSet<>();
    p.state("c1").objects().forEach(o -> synced.add(o.key()));
    assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow())
        .isEqualTo(new Inventory(p.environment, "c1", synced));

    // A writer in a JVM of its own records a larger inventory and is killed (SIGKILL) after two shards.
    Process writer = inventoryProcess(cp, "write", p.environment, "c2", "40", "200", "2");
    try {
      assertThat(lineStartingWith(writer, "paused after")).isEqualTo("paused after 2 shards");
      new ProcessBuilder("kill", "-9", Long.toString(writer.pid())).start().waitFor();
      assertThat(writer.waitFor()).isEqualTo(128 + 9);
    } finally {
      writer.destroyForcibly();
    }
    assertThat(shards(client, p.environment)).containsAll(firstShards).hasSize(firstShards.size() + 2);
    assertThat(index(client, p.environment).getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());

    // A fresh process reads the inventory as it was before the killed write: whole, consistent.
    Process reader = inventoryProcess(cp, "read", p.environment);
    assertThat(lineStartingWith(reader, "commit=")).isEqualTo("commit=c1 objects=" + synced.size());
    assertThat(reader.waitFor()).isZero();

    // A re-sync completes and collects every shard no index names (the killed writer's, the first index's).
    p.service("svc-16", "1.0.0");
    try (var engine = LivePlatform.engine(client, SMALL)) {
      assertThat(engine.sync(p, "c3").synced()).isTrue();
    }
    List<String> lastShards = named(index(client, p.environment));
    assertThat(shards(client, p.environment)).containsExactlyInAnyOrderElementsOf(lastShards);
    assertThat(lastShards).doesNotContainAnyElementsOf(firstShards);
    assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects())
        .hasSize(synced.size() + 3).containsAll(synced);
  }

  /** HA: a replica that no longer holds the target's Lease writes nothing, and says why. */
  @Test
  void aReplicaThatLostTheLeaseWritesNothing(KubernetesClient client) {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    java.util.concurrent.atomic.AtomicBoolean holds = new java.util.concurrent.atomic.AtomicBoolean(true);
    InventoryStore.Options guarded = SMALL.guarded("replica-a", env -> holds.get() ? java.util.Optional.empty()
        : java.util.Optional.of("replica-a no longer holds the Lease of " + env));
    try (var engine = LivePlatform.engine(client, guarded)) {
      assertThat(engine.sync(p, "c1").synced()).isTrue();
    }
    ConfigMap before = index(client, p.environment);
    assertThat(before.getMetadata().getAnnotations()).containsEntry(InventoryStore.WRITTEN_BY, "replica-a");
    Set<String> shardsBefore = shards(client, p.environment);

    holds.set(false); // the Lease lost (or taken over) between the read and the write
    InventoryStore store = new InventoryStore(client, "paved", guarded);
    Inventory read = store.read(p.environment).orElseThrow();
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> store.write(new Inventory(p.environment,
        "c2", read.objects())));

    assertThat(thrown).isInstanceOf(InventoryStore.InventoryException.class)
        .hasMessage("the inventory of " + p.environment + " was not written: replica-a no longer holds the Lease of "
            + p.environment);
    assertThat(index(client, p.environment).getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(shards(client, p.environment)).isEqualTo(shardsBefore);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> store.delete(p.environment)))
        .isInstanceOf(InventoryStore.InventoryException.class);
    assertThat(index(client, p.environment)).isNotNull();
  }

  @Test
  void aStaleWriterFailsAndChangesNothing(KubernetesClient client) {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    try (var engine = LivePlatform.engine(client, SMALL)) {
      engine.sync(p, "c1");
    }
    InventoryStore stale = new InventoryStore(client, "paved", SMALL);
    Inventory read = stale.read(p.environment).orElseThrow();
    try (var engine = LivePlatform.engine(client, SMALL)) {
      assertThat(engine.sync(p.service("cart", "1.0.0"), "c2").synced()).isTrue(); // another writer, meanwhile
    }
    String version = index(client, p.environment).getMetadata().getResourceVersion();

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> stale.write(new Inventory(p.environment,
        "c0", read.objects())));

    assertThat(thrown).isInstanceOf(InventoryStore.InventoryException.class)
        .hasMessageContaining("was changed by another writer since it was read");
    assertThat(((InventoryStore.InventoryException) thrown).refused()).isFalse();
    assertThat(index(client, p.environment).getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().commit()).isEqualTo("c2");
    // Its shards stay until the next write collects them.
    assertThat(shards(client, p.environment)).hasSizeGreaterThan(named(index(client, p.environment)).size());
    try (var engine = LivePlatform.engine(client, SMALL)) {
      assertThat(engine.sync(p.service("cart", "2.0.0"), "c3").synced()).isTrue();
    }
    assertThat(shards(client, p.environment)).containsExactlyInAnyOrderElementsOf(named(index(client,
        p.environment)));
  }

  @Test
  void aMissingShardIsAnErrorNotAnEmptyInventory(KubernetesClient client) {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    try (var engine = LivePlatform.engine(client, SMALL)) {
      engine.sync(p, "c1");
    }
    String shard = named(index(client, p.environment)).get(0);
    client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(shard).delete();
    Await.await("shard deleted", () -> client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(shard)
        .get() == null);

    try (var engine = LivePlatform.engine(client, SMALL)) {
      TargetSync.Result r = engine.sync(p.service("checkout", "2.0.0"), "c2");

      assertThat(r.error()).get().asString().contains("cannot read the inventory")
          .contains("names shard " + shard + ", which does not exist");
      assertThat(r.changes().entries()).isEmpty();
      assertThat(engine.manager.writes()).isZero();
    }
  }

  @Test
  void aSingleConfigMapInventoryOfEarlierVersionsIsReadAndReplaced(KubernetesClient client) {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0").service("legacy", "1.0.0");
    try (var engine = LivePlatform.engine(client, SMALL)) {
      engine.sync(p, "c1");
    }
    Inventory before = new InventoryStore(client, "paved").read(p.environment).orElseThrow();
    // As an earlier version wrote it: one ConfigMap, the objects in it, no shards.
    named(index(client, p.environment)).forEach(s -> client.configMaps().inNamespace(InventoryStore.NAMESPACE)
        .withName(s).delete());
    client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name(p.environment)).delete();
    Await.await("index deleted", () -> index(client, p.environment) == null);
    client.configMaps().inNamespace(InventoryStore.NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(InventoryStore.name(p.environment)).endMetadata().addToData("commit", "c1")
        .addToData("objects", before.encode()).build()).create();
    assertThat(new InventoryStore(client, "paved").read(p.environment)).contains(before);

    try (var engine = LivePlatform.engine(client, SMALL)) {
      TargetSync.Result r = engine.sync(p.remove("legacy"), "c2");
      assertThat(r.synced()).isTrue();
      assertThat(r.changes().count(dev.paved.apply.Action.DELETED)).isEqualTo(3); // known from the old inventory
    }
    ConfigMap index = index(client, p.environment);
    assertThat(index.getData()).doesNotContainKey("objects").containsEntry("commit", "c2");
    assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects()).hasSize(3);
  }

  @Test
  void aWriteTheApiserverRefusesIsAnErrorSayingSoNotARetry(KubernetesClient client) {
    String environment = "env-" + client.getNamespace().substring(client.getNamespace().lastIndexOf('-') + 1);
    // Shards allowed past etcd's limit, and names that do not compress: the apiserver refuses the shard.
    InventoryStore store = new InventoryStore(client, "paved", new InventoryStore.Options(4 << 20, n -> {}));
    Set<ObjectKey> objects = new TreeSet<>();
    java.util.Random random = new java.util.Random(14);
    for (int i = 0; i < 60_000; i++) {
      objects.add(new ObjectKey("v1", "ConfigMap", "ns", Long.toHexString(random.nextLong())
          + Long.toHexString(random.nextLong())));
    }
    assertThat(store.read(environment)).isEmpty();

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> store.write(new Inventory(environment,
        "c1", objects)));

    assertThat(thrown).isInstanceOf(InventoryStore.InventoryException.class)
        .hasMessageContaining("the apiserver refuses shard").hasMessageContaining("HTTP 422");
    assertThat(((InventoryStore.InventoryException) thrown).refused()).isTrue();
    assertThat(index(client, environment)).isNull();
    assertThat(shards(client, environment)).isEmpty();
  }
}
