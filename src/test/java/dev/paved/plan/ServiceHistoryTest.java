package dev.paved.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.DesiredState;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.CommitInfo;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link ServiceHistory#walk}: the memo the daemon keeps changes the cost, never the result. */
class ServiceHistoryTest {

  private static final int SERVICES = 6;

  /** A small platform: {@code SERVICES} services in two environments, the tag of each given. */
  private static Map<String, SourceFile> platform(String[] tags, boolean broken) {
    Map<String, SourceFile> files = new HashMap<>();
    put(files, "clusters/local.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n");
    for (String env : List.of("dev", "prod")) {
      put(files, "environments/" + env + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: " + env
          + "\ncluster: local\nnamespace: \"{team}-" + env + "\"\n");
    }
    put(files, "teams/shop.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"@acme/shop\"]\n");
    for (int i = 0; i < SERVICES; i++) {
      put(files, "services/svc-" + i + "/service.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Service\nteam: "
          + (broken && i == 0 ? "nobody" : "shop") + "\nimage:\n  repository: registry.example.com/svc-" + i
          + "\n  tag: \"" + tags[i] + "\"\nports:\n  - name: http\n    port: 8080\n");
    }
    return files;
  }

  private static void put(Map<String, SourceFile> files, String path, String text) {
    files.put(path, SourceFile.of(path, text));
  }

  /** A random linear history of {@code n} commits (some broken, some changing nothing), their states by id. */
  private static List<CommitInfo> history(long seed, int n, Map<String, Evaluation> evaluations) {
    Random random = new Random(seed);
    String[] tags = new String[SERVICES];
    java.util.Arrays.fill(tags, "1.0.0");
    List<CommitInfo> commits = new ArrayList<>();
    Evaluation previous = null;
    String parent = null;
    for (int i = 0; i < n; i++) {
      String id = String.format("%040x", seed * 1000 + i);
      int kind = random.nextInt(4);
      if (kind < 2) {
        tags[random.nextInt(SERVICES)] = "1." + i + ".0";
      }
      Evaluation e = Evaluator.evaluate(new ConfigTree(id, platform(tags, kind == 3)), previous, dev.paved.config.Workers.sequential());
      evaluations.put(id, e);
      previous = e;
      commits.add(0, new CommitInfo(id, parent, "Dev " + i, "dev@example.com", Instant.EPOCH.plusSeconds(i), "c" + i));
      parent = id;
    }
    return commits;
  }

  @Test
  void walksWithAMemoOverSlidingWindowsEqualWalksFromScratchAndAskOnlyForNewCommits() {
    for (long seed = 1; seed <= 8; seed++) {
      Map<String, Evaluation> evaluations = new HashMap<>();
      List<CommitInfo> all = history(seed, 16, evaluations);
      AtomicInteger asked = new AtomicInteger();
      Function<String, Optional<DesiredState>> desired = id -> {
        asked.incrementAndGet();
        return evaluations.get(id).desired();
      };
      ServiceHistory history = new ServiceHistory(new Redactor(), s -> true, e -> true);
      ServiceHistory.Memo memo = new ServiceHistory.Memo(40);
      int depth = 5;
      for (int head = all.size() - depth; head >= 0; head--) { // the head moves one commit at a time
        List<CommitInfo> window = all.subList(head, head + depth);
        List<ServiceHistory.Entry> scratch = history.walk(window, desired);
        asked.set(0);
        List<ServiceHistory.Entry> memoized = history.walk(window, desired, memo);

        assertThat(memoized).as("seed %d head %d", seed, head).isEqualTo(scratch);
        if (head < all.size() - depth) {
          // the new head, once; and the oldest commit when its base changed as the window slid: never the window
          assertThat(asked.get()).as("seed %d head %d", seed, head).isLessThanOrEqualTo(2);
        }
      }
    }
  }

  @Test
  void aTagChangeIsOneChangedServiceInEachEnvironmentWithItsImages() {
    Map<String, Evaluation> evaluations = new HashMap<>();
    String[] tags = {"1.0.0", "1.0.0", "1.0.0", "1.0.0", "1.0.0", "1.0.0"};
    Evaluation a = Evaluator.evaluate(new ConfigTree("a".repeat(40), platform(tags, false)));
    tags[2] = "2.0.0";
    Evaluation b = Evaluator.evaluate(new ConfigTree("b".repeat(40), platform(tags, false)), a,
        dev.paved.config.Workers.sequential());

    List<ServiceHistory.ServiceChange> changes = new ServiceHistory(new Redactor(), s -> true, e -> true)
        .changes(a.desired().orElseThrow(), b.desired().orElseThrow());

    assertThat(changes).extracting(c -> c.environment() + "/" + c.service() + " " + c.change())
        .containsExactly("dev/svc-2 CHANGED", "prod/svc-2 CHANGED");
    assertThat(changes.get(0).objects()).containsExactly("Deployment/shop-dev/svc-2");
    assertThat(changes.get(0).imagesBefore()).containsExactly("registry.example.com/svc-2:1.0.0");
    assertThat(changes.get(0).imagesAfter()).containsExactly("registry.example.com/svc-2:2.0.0");
  }
}
