package dev.paved.apply;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.ObjectKey;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An object found unchanged is not compared again while git asks for the same object (at any
 * commit) and its live resourceVersion stays: a sync after a one-service commit touches only
 * that service's objects. A live change (drift) is compared, and corrected, as before.
 */
@RealCluster
class SettledApplyIT {

  /** The watch cache, counting the live objects read whole (what a comparison needs). */
  private static final class Counting implements LiveState {
    final InformerLiveState cache;
    final AtomicInteger reads = new AtomicInteger();

    Counting(InformerLiveState cache) {
      this.cache = cache;
    }

    @Override
    public Optional<JsonNode> get(ObjectKey key) {
      reads.incrementAndGet();
      return cache.get(key);
    }

    @Override
    public Optional<String> resourceVersion(ObjectKey key) {
      return cache.resourceVersion(key);
    }
  }

  @Test
  void theSameObjectsAtANewCommitAreNotComparedAgainUntilTheLiveObjectChanges(KubernetesClient client) {
    Target t = new Target(client.getNamespace()).service("checkout", "1.0.0");
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try (InformerLiveState cache = new InformerLiveState(client, t.environment)) {
      Counting live = new Counting(cache);
      ResourceManager manager = new ResourceManager(client, "paved", live, executor);
      manager.actAs(t.state("c1").identities());
      ResourceManager.Options options = ResourceManager.Options.defaults();
      assertThat(manager.apply(t.state("c1").objects(), options).count(Action.CREATED)).isEqualTo(3);
      List<DesiredObject> objects = t.state("c2").objects();
      await("the watch cache holds what was applied", () -> objects.stream()
          .allMatch(o -> cache.get(o.key()).map(l -> Comparison.holds(ResourceManager.prepared(o), l)).orElse(false)));

      ChangeSet second = manager.apply(objects, options);
      assertThat(second.count(Action.UNCHANGED)).isEqualTo(3);
      assertThat(live.reads.get()).as("compared once").isGreaterThanOrEqualTo(3);

      live.reads.set(0);
      long dryRuns = manager.dryRuns();
      ChangeSet third = manager.apply(t.state("c3").objects(), options);
      assertThat(third.count(Action.UNCHANGED)).isEqualTo(3);
      assertThat(live.reads.get()).as("settled: no live object read").isZero();
      assertThat(manager.dryRuns()).isEqualTo(dryRuns);

      ObjectKey deployment = objects.stream().map(DesiredObject::key).filter(k -> k.kind().equals("Deployment"))
          .findFirst().orElseThrow();
      String before = cache.resourceVersion(deployment).orElseThrow();
      client.apps().deployments().withName("checkout").edit(d -> {
        d.getSpec().setReplicas(7);
        return d;
      });
      await("the watch cache sees the edit", () -> !cache.resourceVersion(deployment).orElseThrow().equals(before));
      ChangeSet fourth = manager.apply(t.state("c4").objects(), options);
      assertThat(fourth.of(Action.CONFIGURED)).extracting(ChangeSet.Entry::key).containsExactly(deployment);
      assertThat(client.apps().deployments().withName("checkout").get().getSpec().getReplicas()).isNotEqualTo(7);
      manager.close();
    } finally {
      executor.shutdownNow();
    }
  }
}
