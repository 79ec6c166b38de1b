package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LatestWinsTest {

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  /** The runs, in order; each completes when the test completes its gate. */
  private final List<Integer> ran = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();

  private final LatestWins<Integer> slot = new LatestWins<>(executor, v -> {
    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
    ran.add(v);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    gates.add(gate);
    return gate.whenComplete((r, e) -> concurrent.decrementAndGet());
  });

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private void release(int run) {
    dev.paved.testing.Await.await("run " + run + " started", () -> gates.size() > run);
    gates.get(run).complete(null);
  }

  @Test
  void runsAtOnceWhenIdle() throws Exception {
    CompletableFuture<Void> f = slot.submit(1);
    release(0);
    f.get(5, TimeUnit.SECONDS);
    assertThat(ran).containsExactly(1);
    assertThat(slot.awaitIdle(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void requestsDuringARunAreCoalescedAndTheNewestWins() throws Exception {
    CompletableFuture<Void> first = slot.submit(1);
    dev.paved.testing.Await.await("first run started", () -> ran.size() == 1);
    CompletableFuture<Void> second = slot.submit(2);
    CompletableFuture<Void> third = slot.submit(3);
    CompletableFuture<Void> fourth = slot.submit(4);
    assertThat(slot.hasPending()).isTrue();
    assertThat(second).isNotDone();

    release(0);
    first.get(5, TimeUnit.SECONDS);
    release(1);
    CompletableFuture.allOf(second, third, fourth).get(5, TimeUnit.SECONDS);

    assertThat(ran).containsExactly(1, 4); // 2 and 3 were replaced by 4, never run
    assertThat(slot.runs()).isEqualTo(2);
    assertThat(maxConcurrent.get()).isEqualTo(1);
    assertThat(slot.awaitIdle(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void manyConcurrentRequestsNeverRunTwoAtOnceAndTheLastOneRuns() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      LatestWins<Integer> quick = new LatestWins<>(executor, v -> {
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        ran.add(v);
        concurrent.decrementAndGet();
        return CompletableFuture.completedFuture(null);
      });
      List<CompletableFuture<Void>> all = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 2000; i++) {
        int v = i;
        callers.execute(() -> all.add(quick.submit(v)));
      }
      callers.shutdown();
      assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      quick.submit(-1).get(5, TimeUnit.SECONDS);
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
      assertThat(maxConcurrent.get()).isEqualTo(1);
      assertThat(ran.get(ran.size() - 1)).isEqualTo(-1);
      assertThat(quick.awaitIdle(Duration.ofSeconds(5))).isTrue();
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aFailingRunFailsItsRequestsAndTheSlotGoesOn() throws Exception {
    LatestWins<Integer> failing = new LatestWins<>(executor, v -> {
      ran.add(v);
      if (v == 1) {
        throw new IllegalStateException("boom");
      }
      return CompletableFuture.completedFuture(null);
    });
    CompletableFuture<Void> f = failing.submit(1);
    assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
    failing.submit(2).get(5, TimeUnit.SECONDS);
    assertThat(ran).containsExactly(1, 2);
  }

  @Test
  void closeDropsThePendingRequestLetsTheRunningOneEndAndRefusesMore() throws Exception {
    CompletableFuture<Void> first = slot.submit(1);
    dev.paved.testing.Await.await("first run started", () -> ran.size() == 1);
    CompletableFuture<Void> pending = slot.submit(2);
    slot.close();
    assertThat(pending).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(CancellationException.class);
    assertThat(slot.submit(3)).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(RejectedExecutionException.class);
    assertThat(slot.awaitIdle(Duration.ofMillis(50))).isFalse(); // the running one is still running
    release(0);
    first.get(5, TimeUnit.SECONDS);
    assertThat(slot.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(ran).containsExactly(1);
  }
}
