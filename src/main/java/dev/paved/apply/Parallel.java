package dev.paved.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/** Work over a list on the caller's executor, a bounded number at a time. */
final class Parallel {

  private Parallel() {}

  /**
   * Runs {@code work} over {@code items} on {@code executor}, at most {@code concurrency} at a
   * time, as a queue (a slow item does not hold back a whole batch); results in input order.
   */
  static <T, R> List<R> map(List<T> items, int concurrency, Executor executor, Function<T, R> work) {
    AtomicInteger next = new AtomicInteger();
    AtomicReferenceArray<R> results = new AtomicReferenceArray<>(items.size());
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(Math.max(1, concurrency), items.size()); w++) {
      workers.add(CompletableFuture.runAsync(() -> {
        for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
          results.set(i, work.apply(items.get(i)));
        }
      }, executor));
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
    List<R> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(results.get(i));
    }
    return out;
  }
}
