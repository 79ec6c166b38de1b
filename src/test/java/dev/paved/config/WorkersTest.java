package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The core's threads: results in order, on the given threads only, failures thrown, nesting safe. */
class WorkersTest {

  private static final List<Integer> ITEMS = IntStream.range(0, 10_000).boxed().toList();

  @Test
  void mapKeepsTheOrderAndRunsOnTheCallerAndTheWorkersOnly() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (Workers workers = Workers.of(3, "test-workers")) {
      List<Integer> out = workers.map(ITEMS, i -> {
        threads.add(Thread.currentThread().getName());
        return i * 2;
      });
      assertThat(out).isEqualTo(ITEMS.stream().map(i -> i * 2).toList());
      assertThat(workers.parallelism()).isEqualTo(3);
    }
    String caller = Thread.currentThread().getName();
    assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t).matches(caller + "|test-workers-[12]"))
        .doesNotContain("ForkJoinPool.commonPool-worker-1");
  }

  @Test
  void sequentialRunsOnTheCallersThread() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    assertThat(Workers.sequential().map(ITEMS, i -> threads.add(Thread.currentThread().getName()) ? i : i))
        .isEqualTo(ITEMS);
    assertThat(threads).containsExactly(Thread.currentThread().getName());
    assertThat(Workers.of(1, "one")).isSameAs(Workers.sequential());
  }

  @Test
  void theFirstFailureIsThrownAsItIs() {
    try (Workers workers = Workers.of(2, "test-failing")) {
      assertThatThrownBy(() -> workers.map(ITEMS, i -> {
        if (i == 5_000) {
          throw new IllegalArgumentException("item " + i);
        }
        return i;
      })).isInstanceOf(IllegalArgumentException.class).hasMessage("item 5000");
      // the workers are still usable after a failure
      assertThat(workers.map(List.of(1, 2, 3), i -> i + 1)).containsExactly(2, 3, 4);
    }
  }

  @Test
  void aMapInsideAMapOnTheSameWorkersCompletes() {
    try (Workers workers = Workers.of(2, "test-nested")) {
      List<Integer> sums = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
          () -> workers.map(IntStream.range(0, 50).boxed().toList(),
              i -> workers.map(ITEMS, j -> j % 7).stream().mapToInt(Integer::intValue).sum() + i));
      int inner = ITEMS.stream().mapToInt(j -> j % 7).sum();
      assertThat(sums).isEqualTo(IntStream.range(0, 50).map(i -> inner + i).boxed().toList());
    }
  }

  @Test
  void parallelismBelowOneIsRefused() {
    assertThatThrownBy(() -> Workers.of(0, "none")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parallelism must be at least 1, not 0");
    assertThat(Workers.machineParallelism()).isGreaterThanOrEqualTo(2);
  }
}
