package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.apply.HealthStatus;
import dev.paved.apply.LiveState;
import dev.paved.desired.ObjectKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthWaitTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A live state in memory that counts the objects it parses (get) apart from the resourceVersions it tells. */
  private static final class Live implements LiveState {
    final Map<ObjectKey, JsonNode> objects = new HashMap<>();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public Optional<JsonNode> get(ObjectKey key) {
      reads.incrementAndGet();
      return Optional.ofNullable(objects.get(key));
    }

    @Override
    public Optional<String> resourceVersion(ObjectKey key) {
      return Optional.ofNullable(objects.get(key)).map(o -> o.path("metadata").path("resourceVersion").asText());
    }
  }

  private static JsonNode deployment(String name, String rv, int ready) throws Exception {
    return JSON.readTree("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","namespace":"shop","resourceVersion":"%s",
         "generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,
         "readyReplicas":%d,"availableReplicas":%d}}""".formatted(name, rv, ready, ready));
  }

  @Test
  void onlyObjectsWhoseResourceVersionMovedAreReadAgain() throws Exception {
    Live live = new Live();
    List<ObjectKey> keys = List.of(new ObjectKey("apps/v1", "Deployment", "shop", "api"),
        new ObjectKey("apps/v1", "Deployment", "shop", "web"), new ObjectKey("apps/v1", "Deployment", "shop", "gone"));
    live.objects.put(keys.get(0), deployment("api", "10", 2));
    live.objects.put(keys.get(1), deployment("web", "11", 0));
    Map<ObjectKey, HealthWait.Assessed> first = new HashMap<>();

    Map<ObjectKey, HealthStatus> h1 = HealthWait.assess(keys, live, Map.of(), first);
    assertThat(live.reads.get()).isEqualTo(2);
    assertThat(h1).isEqualTo(HealthWait.assess(keys, live)); // the same as assessing from scratch
    assertThat(h1.get(keys.get(0)).isHealthy()).isTrue();
    assertThat(h1.get(keys.get(1)).isHealthy()).isFalse();
    assertThat(h1.get(keys.get(2)).state()).isEqualTo(HealthStatus.State.MISSING);

    live.reads.set(0);
    Map<ObjectKey, HealthWait.Assessed> second = new HashMap<>();
    assertThat(HealthWait.assess(keys, live, first, second)).isEqualTo(h1);
    assertThat(live.reads.get()).as("nothing moved: nothing parsed").isZero();

    live.objects.put(keys.get(1), deployment("web", "12", 2)); // the rollout finished
    live.reads.set(0);
    Map<ObjectKey, HealthStatus> h3 = HealthWait.assess(keys, live, second, new HashMap<>());
    assertThat(live.reads.get()).isEqualTo(1);
    assertThat(h3.get(keys.get(1)).isHealthy()).isTrue();
    assertThat(h3).isEqualTo(HealthWait.assess(keys, live));
  }
}
