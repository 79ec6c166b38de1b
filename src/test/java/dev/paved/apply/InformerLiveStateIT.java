package dev.paved.apply;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.TargetSync;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

@RealCluster
class InformerLiveStateIT {

  private static String resourceVersion(KubernetesClient client, ObjectKey k) {
    return client.genericKubernetesResources(k.apiVersion(), k.kind()).inNamespace(k.namespace())
        .withName(k.name()).get().getMetadata().getResourceVersion();
  }

  @Test
  void aNoOpReconcileFromTheWatchCacheSendsNoWriteAndNoDryRun(KubernetesClient client) {
    Target t = new Target(client.getNamespace()).service("checkout", "1.0.0").service("cart", "2.0.0",
        """
        autoscaling:
          minReplicas: 2
          maxReplicas: 4
        """);
    try (Target.Engine engine = t.engine(client)) {
      TargetSync.Result first = engine.sync("c1");
      assertThat(first.synced()).as(first.changes().toString()).isTrue();
      assertThat(first.changes().count(Action.CREATED)).isEqualTo(first.changes().entries().size());
      await("the cache sees every applied object", () -> engine.cacheHolds("c1"));
      Map<ObjectKey, String> before = new TreeMap<>();
      t.state("c1").objects().forEach(o -> before.put(o.key(), resourceVersion(client, o.key())));
      long writes = engine.manager.writes();
      long dryRuns = engine.manager.dryRuns();

      TargetSync.Result second = engine.sync("c1");

      assertThat(second.synced()).isTrue();
      assertThat(second.changes().entries()).hasSize(before.size())
          .allSatisfy(e -> assertThat(e.action()).as(e.toString()).isEqualTo(Action.UNCHANGED));
      assertThat(engine.manager.writes() - writes).isZero();
      assertThat(engine.manager.dryRuns() - dryRuns).isZero();
      before.forEach((k, rv) -> assertThat(resourceVersion(client, k)).as(k.toString()).isEqualTo(rv));

      // A new commit that changes nothing in this target is free too.
      TargetSync.Result third = engine.sync("c2");
      assertThat(third.changes().count(Action.UNCHANGED)).isEqualTo(before.size());
      assertThat(engine.manager.writes() - writes).isZero();
      assertThat(engine.manager.dryRuns() - dryRuns).isZero();
    }
  }

  @Test
  void answersFromTheStoreAndSeesOnlyPavedObjectsOfItsEnvironment(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient()) {
      engine.sync("c1");
      DesiredObject deployment = t.state("c1").objects().stream()
          .filter(o -> o.key().kind().equals("Deployment")).findFirst().orElseThrow();
      await("the cache holds the deployment", () -> engine.cache.get(deployment.key()).isPresent());
      assertThat(engine.cache.get(deployment.key()).orElseThrow().path("apiVersion").asText()).isEqualTo("apps/v1");
      assertThat(engine.cache.get(deployment.key()).orElseThrow().path("kind").asText()).isEqualTo("Deployment");

      // Absent: no such object.
      assertThat(engine.cache.get(new ObjectKey("apps/v1", "Deployment", ns, "nope"))).isEmpty();
      // A kind not watched yet is watched on first use; an object without Paved's labels is not seen.
      other.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("theirs")
          .endMetadata().addToData("a", "1").build()).create();
      other.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("ours")
          .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToLabels(Labels.ENVIRONMENT, t.environment)
          .endMetadata().addToData("a", "1").build()).create();
      ObjectKey ours = new ObjectKey("v1", "ConfigMap", ns, "ours");
      assertThat(engine.cache.kinds()).doesNotContain(new InformerLiveState.Kind("v1", "ConfigMap"));
      assertThat(engine.cache.get(ours)).isPresent(); // listed when the informer started
      assertThat(engine.cache.get(new ObjectKey("v1", "ConfigMap", ns, "theirs"))).isEmpty();
      // Another environment's object is not this target's either.
      other.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("elsewhere")
          .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToLabels(Labels.ENVIRONMENT, "other")
          .endMetadata().build()).create();

      // Changes made by another client reach the store.
      other.configMaps().inNamespace(ns).withName("ours").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"data\":{\"a\":\"2\"}}");
      await("the cache sees the change", () -> engine.cache.get(ours).orElseThrow().path("data").path("a")
          .asText().equals("2"));
      other.configMaps().inNamespace(ns).withName("ours").delete();
      await("the cache sees the deletion", () -> engine.cache.get(ours).isEmpty());
      assertThat(engine.cache.get(new ObjectKey("v1", "ConfigMap", ns, "elsewhere"))).isEmpty();
    }
  }
}
