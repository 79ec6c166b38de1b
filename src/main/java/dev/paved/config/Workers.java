package dev.paved.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The threads the pure core (load, resolve, render, policies, plan) spreads its per-item work
 * over, given by its caller: the CLI and the benchmarks make one for the machine, the daemon
 * one of its own; {@link #sequential()} runs everything on the caller's thread. The core never
 * uses the JVM's common fork/join pool.
 *
 * <p>{@link #map} hands items out one at a time from a shared counter to the caller's thread
 * and up to {@code parallelism - 1} pool threads; the caller works too and only waits for items
 * already taken, so a {@code map} inside a {@code map} cannot starve or deadlock (a task never
 * waits for another task).
 */
public final class Workers implements AutoCloseable {

  private static final Workers SEQUENTIAL = new Workers(1, null);

  private final int parallelism;
  private final ExecutorService pool;

  private Workers(int parallelism, ExecutorService pool) {
    this.parallelism = parallelism;
    this.pool = pool;
  }

  /** Everything on the caller's thread. */
  public static Workers sequential() {
    return SEQUENTIAL;
  }

  /**
   * {@code parallelism} threads at most per {@link #map}: the caller's and {@code parallelism - 1}
   * daemon threads named {@code name-N}. Close it to stop them.
   */
  public static Workers of(int parallelism, String name) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
    }
    if (parallelism == 1) {
      return SEQUENTIAL;
    }
    AtomicInteger n = new AtomicInteger();
    return new Workers(parallelism, Executors.newFixedThreadPool(parallelism - 1, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }));
  }

  /** One thread per core the JVM may use, at least two. */
  public static int machineParallelism() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  public int parallelism() {
    return parallelism;
  }

  /**
   * {@code f} of each item, in the items' order. The first exception {@code f} throws is
   * thrown (the items not yet started are skipped).
   */
  public <T, R> List<R> map(List<T> items, Function<? super T, ? extends R> f) {
    int n = items.size();
    if (pool == null || n < 2) {
      List<R> out = new ArrayList<>(n);
      for (T item : items) {
        out.add(f.apply(item));
      }
      return out;
    }
    Object[] results = new Object[n];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable drain = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        try {
          results[i] = f.apply(items.get(i));
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          next.set(n);
        }
      }
    };
    List<Helper> helpers = new ArrayList<>();
    for (int i = 1; i < Math.min(parallelism, n); i++) {
      Helper h = new Helper(drain);
      helpers.add(h);
      try {
        pool.execute(h);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        break; // closed: the caller does the work alone
      }
    }
    drain.run();
    for (Helper h : helpers) {
      h.awaitOrSkip();
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    if (e != null) {
      throw new IllegalStateException(e);
    }
    @SuppressWarnings("unchecked")
    List<R> out = (List<R>) java.util.Collections.unmodifiableList(Arrays.asList(results));
    return out;
  }

  /** A pool thread's share of a map: it drains items unless the caller found it not started. */
  private static final class Helper implements Runnable {
    private final Runnable drain;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    Helper(Runnable drain) {
      this.drain = drain;
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return; // the map is over
      }
      try {
        drain.run();
      } finally {
        finished.countDown();
      }
    }

    /**
     * Returns once this helper cannot touch the map's results any more: at once when it has
     * not started (it never will), else when the items it took are done.
     */
    void awaitOrSkip() {
      if (claimed.compareAndSet(false, true)) {
        return;
      }
      boolean interrupted = false;
      while (true) {
        try {
          finished.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // its items must finish before the results are read
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
