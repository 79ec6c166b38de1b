package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.Comparison;
import dev.paved.apply.DirectLiveState;
import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** One sync of one target on the real apiserver: apply, inventory, prune with its guard. */
@RealCluster
class TargetSyncIT {

  private static ObjectKey key(String apiVersion, String kind, String ns, String name) {
    return new ObjectKey(apiVersion, kind, ns, name);
  }

  private static ObjectKey deployment(String ns, String name) {
    return key("apps/v1", "Deployment", ns, name);
  }

  private static ObjectKey service(String ns, String name) {
    return key("v1", "Service", ns, name);
  }

  private static ObjectKey serviceAccount(String ns, String name) {
    return key("v1", "ServiceAccount", ns, name);
  }

  private static Map<ObjectKey, Action> actions(TargetSync.Result r) {
    Map<ObjectKey, Action> out = new TreeMap<>();
    r.changes().entries().forEach(e -> out.put(e.key(), e.action()));
    return out;
  }

  /** The change-set entry that reports {@code k} failed (the test fails when there is none). */
  private static ChangeSet.Entry failed(TargetSync.Result r, ObjectKey k) {
    return r.changes().of(Action.FAILED).stream().filter(e -> e.key().equals(k)).findFirst()
        .orElseThrow(() -> new AssertionError(k + " is not reported failed: " + r.changes().entries()));
  }

  private static String resourceVersion(KubernetesClient client, ObjectKey k) {
    return client.genericKubernetesResources(k.apiVersion(), k.kind()).inNamespace(k.namespace())
        .withName(k.name()).get().getMetadata().getResourceVersion();
  }

  private static boolean exists(KubernetesClient client, ObjectKey k) {
    return client.genericKubernetesResources(k.apiVersion(), k.kind()).inNamespace(k.namespace())
        .withName(k.name()).get() != null;
  }

  @Test
  void createsEveryObjectWithOwnershipLabelsAndRecordsTheInventory(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = engine.sync(p, "c1");

      assertThat(r.error()).isEmpty();
      assertThat(r.synced()).isTrue();
      assertThat(actions(r)).containsExactly(
          Map.entry(serviceAccount(ns, "checkout"), Action.CREATED),
          Map.entry(service(ns, "checkout"), Action.CREATED),
          Map.entry(deployment(ns, "checkout"), Action.CREATED));
      var live = client.apps().deployments().withName("checkout").get();
      assertThat(live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("registry.example.com/payments/checkout:1.0.0");
      assertThat(live.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, "paved")
          .containsEntry(Labels.ENVIRONMENT, p.environment);
      assertThat(live.getMetadata().getAnnotations()).containsEntry(Labels.SOURCE_COMMIT, "c1")
          .containsKey(Labels.APPLIED_HASH);
      assertThat(live.getMetadata().getManagedFields()).extracting(m -> m.getManager()).containsExactly("paved");

      Inventory inv = new InventoryStore(client, "paved").read(p.environment).orElseThrow();
      assertThat(inv.commit()).isEqualTo("c1");
      assertThat(inv.objects()).containsExactlyInAnyOrder(serviceAccount(ns, "checkout"),
          service(ns, "checkout"), deployment(ns, "checkout"));
    }
  }

  @Test
  void updatesOneFieldAndLeavesEveryOtherObjectUnwritten(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("cart", "1.0.0");
    try (var engine = LivePlatform.engine(client)) {
      assertThat(engine.sync(p, "c1").synced()).isTrue();
      Map<ObjectKey, String> before = new TreeMap<>();
      p.state().objects().forEach(o -> before.put(o.key(), resourceVersion(client, o.key())));
      long writes = engine.manager.writes();

      TargetSync.Result r = engine.sync(p.service("cart", "1.1.0"), "c2");

      assertThat(r.synced()).isTrue();
      assertThat(r.changes().of(Action.CONFIGURED)).extracting(ChangeSet.Entry::key)
          .containsExactly(deployment(ns, "cart"));
      assertThat(r.changes().count(Action.UNCHANGED)).isEqualTo(5);
      assertThat(engine.manager.writes() - writes).isEqualTo(1);
      before.forEach((k, rv) -> {
        if (k.equals(deployment(ns, "cart"))) {
          assertThat(resourceVersion(client, k)).as(k.toString()).isNotEqualTo(rv);
        } else {
          assertThat(resourceVersion(client, k)).as(k.toString()).isEqualTo(rv);
        }
      });
      assertThat(client.apps().deployments().withName("cart").get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getImage()).endsWith("cart:1.1.0");
    }
  }

  @Test
  void defaultedDeploymentAndServiceAreNotDriftAndASecondSyncWritesNothing(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    try (var first = LivePlatform.engine(client)) {
      first.sync(p, "c1");
    }
    // The apiserver defaulted plenty (strategy, revisionHistoryLimit, clusterIP, sessionAffinity...).
    var svc = client.services().withName("checkout").get();
    assertThat(svc.getSpec().getClusterIP()).isNotBlank();
    assertThat(svc.getSpec().getSessionAffinity()).isEqualTo("None");
    assertThat(client.apps().deployments().withName("checkout").get().getSpec().getRevisionHistoryLimit())
        .isEqualTo(10);
    DirectLiveState live = new DirectLiveState(client);
    for (DesiredObject o : p.state().objects()) {
      JsonNode applied = ResourceManager.prepared(o);
      assertThat(Comparison.differences(applied, live.get(o.key()).orElseThrow())).as(o.key().toString()).isEmpty();
    }
    Map<ObjectKey, String> before = new TreeMap<>();
    p.state().objects().forEach(o -> before.put(o.key(), resourceVersion(client, o.key())));
    String inventoryVersion = client.configMaps().inNamespace(InventoryStore.NAMESPACE)
        .withName(InventoryStore.name(p.environment)).get().getMetadata().getResourceVersion();

    try (var second = LivePlatform.engine(client)) {
      TargetSync.Result r = second.sync(p, "c2"); // a new commit that changes nothing in this target

      assertThat(r.changes().entries()).allSatisfy(e -> assertThat(e.action()).as(e.toString())
          .isEqualTo(Action.UNCHANGED));
      assertThat(r.changes().entries()).hasSize(3);
      assertThat(second.manager.writes()).isZero();
      assertThat(second.manager.dryRuns()).isZero();
    }
    before.forEach((k, rv) -> assertThat(resourceVersion(client, k)).as(k.toString()).isEqualTo(rv));
    assertThat(client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name(p.environment))
        .get().getMetadata().getResourceVersion()).isNotEqualTo(inventoryVersion); // the commit is recorded
  }

  @Test
  void prunesARemovedServiceAndOnlyIt(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("legacy", "1.0.0");
    try (var engine = LivePlatform.engine(client)) {
      engine.sync(p, "c1");
      assertThat(exists(client, deployment(ns, "legacy"))).isTrue();

      TargetSync.Result r = engine.sync(p.remove("legacy"), "c2");

      assertThat(r.synced()).isTrue();
      assertThat(r.changes().of(Action.DELETED)).extracting(ChangeSet.Entry::key).containsExactlyInAnyOrder(
          serviceAccount(ns, "legacy"), service(ns, "legacy"), deployment(ns, "legacy"));
      assertThat(r.changes().count(Action.UNCHANGED)).isEqualTo(3);
      assertThat(exists(client, service(ns, "legacy"))).isFalse();
      assertThat(exists(client, serviceAccount(ns, "legacy"))).isFalse();
      assertThat(exists(client, service(ns, "checkout"))).isTrue();
      assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects())
          .noneMatch(k -> k.name().equals("legacy")).hasSize(3);
    }
  }

  @Test
  void anUnownedObjectWithTheSameNameInTheInventoryIsLeftAlone(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("legacy", "1.0.0");
    try (var engine = LivePlatform.engine(client)) {
      engine.sync(p, "c1");
      // Someone replaces Paved's Service with their own, without Paved's labels.
      client.services().withName("legacy").delete();
      client.services().withName("legacy").waitUntilCondition(s -> s == null, 10, java.util.concurrent.TimeUnit.SECONDS);
      client.resource(new ServiceBuilder().withNewMetadata().withName("legacy").addToLabels("owner", "ops")
          .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();

      TargetSync.Result r = engine.sync(p.remove("legacy"), "c2");

      assertThat(actions(r)).containsEntry(service(ns, "legacy"), Action.SKIPPED)
          .containsEntry(deployment(ns, "legacy"), Action.DELETED)
          .containsEntry(serviceAccount(ns, "legacy"), Action.DELETED);
      assertThat(r.changes().entries()).filteredOn(e -> e.action() == Action.SKIPPED).singleElement()
          .extracting(ChangeSet.Entry::reason).asString().contains("not owned by Paved");
      var theirs = client.services().withName("legacy").get();
      assertThat(theirs).isNotNull();
      assertThat(theirs.getMetadata().getLabels()).containsEntry("owner", "ops");
      // Not Paved's: forgotten by the inventory, never to be pruned later.
      assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects())
          .doesNotContain(service(ns, "legacy"));
    }
  }

  @Test
  void theMassDeleteGuardHoldsDeletionsUntilTheConfigAllowsThem(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("a", "1").service("b", "1").service("c", "1");
    try (var engine = LivePlatform.engine(client)) {
      engine.sync(p, "c1");

      TargetSync.Result held = engine.sync(p.remove("b").remove("c"), "c2"); // 6 of 9 objects: 67%

      assertThat(held.synced()).isFalse();
      assertThat(held.changes().count(Action.HELD)).isEqualTo(6);
      assertThat(held.changes().count(Action.DELETED)).isZero();
      assertThat(held.changes().of(Action.HELD).get(0).reason()).contains("6 of 9").contains("allowMassDeletion");
      assertThat(exists(client, deployment(ns, "b"))).isTrue();
      assertThat(exists(client, deployment(ns, "c"))).isTrue();
      assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects()).hasSize(9);

      TargetSync.Result released = engine.sync(p.prune("allowMassDeletion: true"), "c3");

      assertThat(released.synced()).isTrue();
      assertThat(released.changes().count(Action.DELETED)).isEqualTo(6);
      assertThat(exists(client, deployment(ns, "b"))).isFalse();
      assertThat(exists(client, service(ns, "c"))).isFalse();
      assertThat(exists(client, deployment(ns, "a"))).isTrue();
    }
  }

  @Test
  void aRemovedPersistentVolumeClaimIsHeld(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("db", "1").manifest("db", "data.yaml", """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: db-data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
        """);
    ObjectKey pvc = key("v1", "PersistentVolumeClaim", ns, "db-data");
    try (var engine = LivePlatform.engine(client)) {
      assertThat(actions(engine.sync(p, "c1"))).containsEntry(pvc, Action.CREATED);

      TargetSync.Result r = engine.sync(p.withoutManifest("db", "data.yaml"), "c2");

      assertThat(actions(r)).containsEntry(pvc, Action.HELD);
      assertThat(r.changes().of(Action.HELD).get(0).reason()).contains("protected kind");
      assertThat(r.synced()).isFalse();
      assertThat(exists(client, pvc)).isTrue();
      assertThat(new InventoryStore(client, "paved").read(p.environment).orElseThrow().objects()).contains(pvc);

      TargetSync.Result allowed = engine.sync(p.prune("allowKinds: [PersistentVolumeClaim]"), "c3");
      assertThat(actions(allowed)).containsEntry(pvc, Action.DELETED);
    }
  }

  @Test
  void oneObjectTheApiserverRefusesIsReportedWhileTheRestApply(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").manifest("checkout", "bad.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: checkout-settings
        data:
          "not a valid key!": "x"
        """);
    ObjectKey bad = key("v1", "ConfigMap", ns, "checkout-settings");
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = engine.sync(p, "c1");

      assertThat(r.error()).isEmpty();
      assertThat(r.changes().partial()).isTrue();
      assertThat(r.synced()).isFalse();
      ChangeSet.Entry failed = failed(r, bad);
      assertThat(failed.reason()).contains("not a valid key!").contains("valid config key");
      assertThat(r.changes().of(Action.CREATED)).extracting(ChangeSet.Entry::key).containsExactlyInAnyOrder(
          serviceAccount(ns, "checkout"), service(ns, "checkout"), deployment(ns, "checkout"));
      assertThat(exists(client, deployment(ns, "checkout"))).isTrue();
      assertThat(exists(client, bad)).isFalse();
    }
  }

  @Test
  void aFieldTheApiserversSchemaDoesNotKnowIsRefusedNotDropped(KubernetesClient client) {
    // Paved applies with fieldValidation=Ignore (its bodies are serialized trees: no duplicate
    // keys, the only thing that directive's second decode of the body finds for an apply);
    // server-side apply still refuses any field its schema does not declare.
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").manifest("checkout", "worker.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: checkout-worker
        spec:
          replica: 2
          selector:
            matchLabels: {app: checkout-worker}
          template:
            metadata:
              labels: {app: checkout-worker}
            spec:
              containers:
                - name: worker
                  image: registry.example.com/checkout-worker:1.0.0
        """);
    ObjectKey worker = deployment(ns, "checkout-worker");
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = engine.sync(p, "c1");

      ChangeSet.Entry failed = failed(r, worker);
      assertThat(failed.reason()).contains(".spec.replica").contains("field not declared in schema");
      assertThat(exists(client, worker)).isFalse();
      assertThat(exists(client, deployment(ns, "checkout"))).isTrue();
    }
  }

  @Test
  void aRestartedEngineReadsTheInventoryFromTheClusterAndPrunes(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("legacy", "1.0.0");
    try (var before = LivePlatform.engine(client)) {
      assertThat(before.sync(p, "c1").synced()).isTrue();
    }
    // A new process on an empty disk: new client, new engine, nothing in memory.
    try (KubernetesClient fresh = cluster.newClient(); var after = LivePlatform.engine(fresh)) {
      TargetSync.Result r = after.sync(p.remove("legacy"), "c2");

      assertThat(r.synced()).isTrue();
      assertThat(r.changes().of(Action.DELETED)).extracting(ChangeSet.Entry::key).containsExactlyInAnyOrder(
          serviceAccount(ns, "legacy"), service(ns, "legacy"), deployment(ns, "legacy"));
      assertThat(r.changes().count(Action.UNCHANGED)).isEqualTo(3);
      assertThat(after.manager.writes()).isEqualTo(3); // the three deletions, nothing re-applied
    }
    assertThat(exists(client, deployment(ns, "legacy"))).isFalse();
    assertThat(exists(client, deployment(ns, "checkout"))).isTrue();
  }

  @Test
  void anUnreadableInventoryStopsTheSyncInsteadOfReadingAsEmpty(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    try (var engine = LivePlatform.engine(client)) {
      engine.sync(p, "c1");
      client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name(p.environment))
          .edit(cm -> { cm.getData().put("objects", "garbage"); return cm; });

      TargetSync.Result r = engine.sync(p.service("checkout", "2.0.0"), "c2");

      assertThat(r.error()).get().asString().contains("cannot read the inventory").contains("malformed");
      assertThat(r.synced()).isFalse();
      assertThat(r.changes().entries()).isEmpty();
      assertThat(client.apps().deployments().withName("checkout").get().getSpec().getTemplate().getSpec()
          .getContainers().get(0).getImage()).endsWith("checkout:1.0.0"); // nothing applied either
    }
  }
}
