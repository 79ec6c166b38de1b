package dev.paved.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Workers;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluationCacheTest {

  private static ConfigTree tree(String commit, String tag) {
    String path = "services/api/service.yaml";
    return new ConfigTree(commit, Map.of("clusters/main.yaml", SourceFile.of("clusters/main.yaml",
        "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n"), "environments/dev.yaml", SourceFile.of(
        "environments/dev.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: dev\ncluster: main\n"
            + "namespace: \"{team}-dev\"\n"), "teams/shop.yaml", SourceFile.of("teams/shop.yaml",
        "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"@acme/shop\"]\n"), path, SourceFile.of(path,
        "apiVersion: paved.dev/v1alpha1\nkind: Service\nteam: shop\nimage:\n  repository: r.example.com/api\n"
            + "  tag: \"" + tag + "\"\n")));
  }

  @Test
  void theNewestEvaluationIsKeptEvenWhenHeavierThanTheWholeBudget() {
    EvaluationCache cache = EvaluationCache.byWeight(1, Workers.sequential());
    AtomicInteger reads = new AtomicInteger();

    Evaluation first = cache.get("c1", () -> {
      reads.incrementAndGet();
      return tree("c1", "1.0.0");
    });
    assertThat(first.weight()).isGreaterThan(1);
    assertThat(cache.get("c1", () -> {
      reads.incrementAndGet();
      return tree("c1", "1.0.0");
    })).isSameAs(first);
    assertThat(cache.peek("c1")).isSameAs(first);
    assertThat(reads.get()).isEqualTo(1);

    Evaluation second = cache.get("c2", () -> tree("c2", "2.0.0"));
    assertThat(cache.peek("c2")).isSameAs(second);
  }
}
