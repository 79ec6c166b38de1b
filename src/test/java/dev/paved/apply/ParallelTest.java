package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Bounded parallel work over a list: input order kept, never more than the bound at once. */
class ParallelTest {

  @Test
  void resultsKeepTheInputOrderAndAtMostTheBoundRunAtOnce() {
    ExecutorService executor = Executors.newFixedThreadPool(8);
    try {
      AtomicInteger running = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      List<Integer> items = IntStream.range(0, 200).boxed().toList();

      List<Integer> out = Parallel.map(items, 3, executor, i -> {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        Thread.onSpinWait();
        running.decrementAndGet();
        return i * 2;
      });

      assertThat(out).isEqualTo(items.stream().map(i -> i * 2).toList());
      assertThat(most.get()).isBetween(1, 3);
      assertThat(Parallel.map(List.<Integer>of(), 3, executor, i -> i)).isEmpty();
      assertThat(Parallel.map(List.of(1, 2), 0, executor, i -> i + 1)).as("a bound below 1 still runs")
          .containsExactly(2, 3);
    } finally {
      executor.shutdownNow();
    }
  }
}
