package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.InformerLiveState;
import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * No silent takeovers, and ownership per repo and environment, on the real apiserver: an object
 * that exists without this target's mark is a conflict (nothing written) until git marks it for
 * adoption; two repos with an environment of the same name keep apart.
 */
@dev.paved.testing.RealCluster
class OwnershipIT {

  private static final String SETTINGS = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      %s
      data:
        mode: paved
      """;

  private static ObjectKey configMap(String ns, String name) {
    return new ObjectKey("v1", "ConfigMap", ns, name);
  }

  private static Map<ObjectKey, ChangeSet.Entry> entries(TargetSync.Result r) {
    Map<ObjectKey, ChangeSet.Entry> out = new TreeMap<>();
    r.changes().entries().forEach(e -> out.put(e.key(), e));
    return out;
  }

  /** A ConfigMap created by someone else (field manager {@code ops-script}), without Paved's labels. */
  private static ConfigMap createdByOps(KubernetesClient client, String name) {
    return client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .addToLabels("owner", "ops").endMetadata().addToData("mode", "ops").build()).fieldManager("ops-script").serverSideApply();
  }

  @Test
  void anUnownedObjectIsAConflictUntilGitMarksItForAdoption(KubernetesClient client) {
    String ns = client.getNamespace();
    ConfigMap before = createdByOps(client, "settings");
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0")
        .manifest("checkout", "settings.yaml", SETTINGS.formatted(""));
    try (var engine = LivePlatform.engine(client, "alpha")) {
      TargetSync.Result r = engine.sync(p, "c1");

      ChangeSet.Entry conflict = entries(r).get(configMap(ns, "settings"));
      assertThat(conflict.action()).isEqualTo(Action.CONFLICT);
      assertThat(conflict.reason()).contains("exists and is not Paved's", "field managers: ops-script",
          "paved.dev/adopt: \"true\"");
      assertThat(r.synced()).isFalse();
      assertThat(r.changes().partial()).isTrue();
      // Nothing written for it; everything else applied; not recorded as Paved's.
      ConfigMap after = client.configMaps().withName("settings").get();
      assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
      assertThat(after.getData()).containsEntry("mode", "ops");
      assertThat(r.changes().count(Action.CREATED)).isEqualTo(3);
      assertThat(engine.inventories.read(p.environment).orElseThrow().objects()).doesNotContain(configMap(ns, "settings"));

      // A plan shows it too.
      var plan = LivePlanner.plan(p.state("c1"), p.prunePolicy(), dev.paved.apply.IgnoreRules.none(), "c1",
          engine.manager, engine.inventories, new dev.paved.plan.Redactor());
      assertThat(plan.environments().get(0).changes()).filteredOn(c -> c.key().equals(configMap(ns, "settings")))
          .singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo(dev.paved.plan.Plan.Action.CONFLICT);
            assertThat(c.reason()).startsWith("exists and is not Paved's");
          });

      TargetSync.Result adopted = engine.sync(p.manifest("checkout", "settings.yaml",
          SETTINGS.formatted("  annotations:\n    paved.dev/adopt: \"true\"")), "c2");

      assertThat(entries(adopted).get(configMap(ns, "settings")).action()).isEqualTo(Action.ADOPTED);
      assertThat(adopted.synced()).isTrue();
      ConfigMap owned = client.configMaps().withName("settings").get();
      assertThat(owned.getData()).containsEntry("mode", "paved");
      assertThat(owned.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, "paved")
          .containsEntry(Labels.ENVIRONMENT, p.environment).containsEntry(Labels.REPO, "alpha");
      assertThat(engine.inventories.read(p.environment).orElseThrow().objects()).contains(configMap(ns, "settings"));
      assertThat(entries(engine.sync(p, "c3")).get(configMap(ns, "settings")).action()).isEqualTo(Action.UNCHANGED);
    }
  }

  @Test
  void aWatchCacheDoesNotHideAnUnownedObject(KubernetesClient client) {
    String ns = client.getNamespace();
    ConfigMap before = createdByOps(client, "settings");
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0")
        .manifest("checkout", "settings.yaml", SETTINGS.formatted(""));
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try (InformerLiveState cache = new InformerLiveState(client, p.environment)) {
      ResourceManager manager = new ResourceManager(client, "paved", "alpha", cache, executor);
      TargetSync.Result r = TargetSync.run(p.state("c1"), p.prunePolicy(), "c1", manager,
          new InventoryStore(client, "paved", "alpha"), TargetSync.Options.defaults());

      assertThat(entries(r).get(configMap(ns, "settings")).action()).isEqualTo(Action.CONFLICT);
      assertThat(client.configMaps().withName("settings").get().getMetadata().getResourceVersion())
          .isEqualTo(before.getMetadata().getResourceVersion());
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void twoReposWithTheSameEnvironmentNameKeepApart(KubernetesClient client) {
    String ns = client.getNamespace();
    String env = "prod-" + ns.substring(ns.lastIndexOf('-') + 1);
    LivePlatform alpha = new LivePlatform(ns, env).service("shared", "1.0.0").service("checkout", "1.0.0");
    LivePlatform beta = new LivePlatform(ns, env).service("cart", "1.0.0");
    try (var a = LivePlatform.engine(client, "alpha"); var b = LivePlatform.engine(client, "beta")) {
      assertThat(a.sync(alpha, "a1").synced()).isTrue();
      assertThat(b.sync(beta, "b1").synced()).isTrue();
      assertThat(client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name("alpha", env))
          .get()).isNotNull();
      assertThat(client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name("beta", env))
          .get()).isNotNull();
      Inventory betaBefore = b.inventories.read(env).orElseThrow();

      // alpha drops checkout: only alpha's objects go; beta's stay, its inventory untouched.
      TargetSync.Result pruned = a.sync(alpha.remove("checkout"), "a2");
      assertThat(pruned.changes().of(Action.DELETED)).extracting(e -> e.key().name()).containsOnly("checkout")
          .hasSize(3);
      assertThat(client.apps().deployments().withName("cart").get()).isNotNull();
      assertThat(b.inventories.read(env).orElseThrow()).isEqualTo(betaBefore);
      // beta's next sync prunes nothing of alpha's.
      TargetSync.Result again = b.sync(beta, "b2");
      assertThat(again.changes().count(Action.DELETED)).isZero();
      assertThat(client.apps().deployments().withName("shared").get()).isNotNull();

      // beta declares an object alpha owns: a conflict naming alpha, nothing written.
      String rv = client.apps().deployments().withName("shared").get().getMetadata().getResourceVersion();
      TargetSync.Result claimed = b.sync(beta.service("shared", "2.0.0"), "b3");
      ChangeSet.Entry e = entries(claimed).get(new ObjectKey("apps/v1", "Deployment", ns, "shared"));
      assertThat(e.action()).isEqualTo(Action.CONFLICT);
      assertThat(e.reason()).contains("belongs to Paved for repo \"alpha\", environment \"" + env + "\"");
      assertThat(client.apps().deployments().withName("shared").get().getMetadata().getResourceVersion()).isEqualTo(rv);
      assertThat(b.inventories.read(env).orElseThrow().objects()).noneMatch(k -> k.name().equals("shared"));
    }
  }

  @Test
  void anInventoryAndLabelsFromBeforeRepoIdsAreTakenOverOnce(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0")
        .manifest("checkout", "settings.yaml", SETTINGS.formatted(""));
    // What an older Paved left: objects labelled for the environment without a repo, and
    // ConfigMap paved-inventory-<environment>.
    for (String name : new String[] {"settings", "gone"}) {
      client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(name)
          .addToLabels(Labels.MANAGED_BY, "paved").addToLabels(Labels.ENVIRONMENT, p.environment).endMetadata()
          .addToData("mode", "old").build()).fieldManager("paved").serverSideApply();
    }
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName(InventoryStore.NAMESPACE).endMetadata().build()).fieldManager("paved").serverSideApply();
    String legacyName = "paved-inventory-" + p.environment;
    client.configMaps().inNamespace(InventoryStore.NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(legacyName).endMetadata().addToData("commit", "old")
        .addToData("objects", new Inventory(p.environment, "old", Set.of(configMap(ns, "settings"),
            configMap(ns, "gone"))).encode()).build()).fieldManager("paved").serverSideApply();

    try (var engine = LivePlatform.engine(client, "alpha")) {
      TargetSync.Result r = engine.sync(p, "c1");

      assertThat(entries(r).get(configMap(ns, "settings")).action()).isEqualTo(Action.CONFIGURED);
      assertThat(entries(r).get(configMap(ns, "gone")).action()).isEqualTo(Action.DELETED);
      assertThat(client.configMaps().withName("settings").get().getMetadata().getLabels())
          .containsEntry(Labels.REPO, "alpha");
      assertThat(client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(legacyName).get()).isNull();
      assertThat(engine.inventories.read(p.environment).orElseThrow().objects()).contains(configMap(ns, "settings"))
          .doesNotContain(configMap(ns, "gone"));
    }
  }
}
