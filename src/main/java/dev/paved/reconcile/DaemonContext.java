package dev.paved.reconcile;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.paved.apply.Clusters;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the workers of one daemon share, handed to each of them (they never reach into the
 * {@link Daemon}): the daemon config, where repos and clusters come from, the thread pools, the
 * retry policy, the metrics, the clock, and the lifecycle (closed or not, blocking work in flight
 * that closing waits for).
 */
final class DaemonContext {

  private static final Logger LOG = LoggerFactory.getLogger(DaemonContext.class);

  final DaemonConfig config;
  final RepoSource.Factory sources;
  final Clusters.Connections connections;
  final DaemonMetrics metrics;
  final Clock clock;
  /** Where events go; never throws, never blocks (see {@link #emit}). */
  private final DaemonEvent.Listener events;
  /** When each commit was applied to each target, and how. */
  final ApplyHistory history;

  /** Fetch and evaluation. */
  final ExecutorService git;
  /** Reconcile attempts: at most one per target at a time. */
  final ExecutorService syncs;
  /** The resource managers' parallel applies (never the drift executor). */
  final ExecutorService applies;
  /** Drift checks and health refreshes. */
  final ExecutorService drift;
  /** Polls, backoff delays, the periodic full reconcile, health refreshes. */
  final ScheduledExecutorService scheduler;
  /** The pure core's threads for an evaluation (load, render, policies): one per core. */
  final dev.paved.config.Workers evaluation;

  /**
   * Whether this daemon may work on a target now: always with HA off; with HA on, while this
   * replica holds the target's Lease ({@link TargetLeases}). Set once, before the daemon starts.
   */
  volatile TargetGate gate = TargetGate.OPEN;
  /** This replica's identity with HA on (recorded on the inventories it writes); null with HA off. */
  volatile String replica;

  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object inFlightLock = new Object();
  private int inFlight;

  DaemonContext(DaemonConfig config, RepoSource.Factory sources, Clusters.Connections connections, DaemonMetrics metrics,
      Clock clock, DaemonEvent.Listener events, ApplyHistory history) {
    this.events = events;
    this.history = history;
    this.config = config;
    this.sources = sources;
    this.connections = connections;
    this.metrics = metrics;
    this.clock = clock;
    int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.git = Executors.newFixedThreadPool(Math.min(4, Math.max(1, config.repos().size())), threads("paved-git"));
    this.syncs = Executors.newFixedThreadPool(Math.max(4, cores), threads("paved-sync"));
    this.applies = Executors.newFixedThreadPool(Math.max(8, 2 * config.defaults().applyConcurrency()),
        threads("paved-apply"));
    this.drift = Executors.newFixedThreadPool(2, threads("paved-drift"));
    this.scheduler = Executors.newScheduledThreadPool(1, threads("paved-timer"));
    this.evaluation = dev.paved.config.Workers.of(cores, "paved-evaluation");
  }

  /** Hands an event to the listener; a listener that throws is logged, never propagated. */
  void emit(DaemonEvent.Type type, DaemonEvent.Severity severity, String repo, String environment, String service,
      String team, String commit, String message, java.util.List<String> details) {
    try {
      events.on(new DaemonEvent(type, severity, repo, environment, service, team, commit, message, details,
          clock.instant()));
    } catch (RuntimeException e) {
      LOG.warn("event {} not delivered: {}", type.id(), e.toString());
    }
  }

  boolean closed() {
    return closed.get();
  }

  // ------------------------------------------------------------------ lifecycle

  /** Marks the start of blocking work that {@link #awaitIdle} waits for; false when closed. */
  boolean enter() {
    synchronized (inFlightLock) {
      if (closed.get()) {
        return false;
      }
      inFlight++;
      return true;
    }
  }

  void exit() {
    synchronized (inFlightLock) {
      inFlight--;
      inFlightLock.notifyAll();
    }
  }

  /** Refuses new work from now on; false when closed already. */
  boolean close() {
    return closed.compareAndSet(false, true);
  }

  /** Waits (at most {@code timeout}) for the work in flight to end; false when it did not in time. */
  boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (inFlightLock) {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          inFlightLock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /** Stops every thread of the pools (after {@link #close}). */
  void shutdownPools() {
    List<ExecutorService> pools = List.of(scheduler, git, syncs, drift, applies);
    pools.forEach(ExecutorService::shutdownNow);
    evaluation.close();
    try {
      for (ExecutorService e : pools) {
        e.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ retries

  /**
   * Retries {@code attempt} (run on {@code executor}) on any failure, with the configured capped
   * exponential backoff ({@code defaults.retry}), until it succeeds, the daemon closes, or
   * {@code supersededBy} says a newer request waits (the newer request then runs instead).
   */
  <T> CompletableFuture<T> withRetries(String what, Supplier<T> attempt, ExecutorService executor,
      BooleanSupplier supersededBy) {
    DaemonConfig.Retry retry = config.defaults().retry();
    RetryPolicy<T> policy = RetryPolicy.<T>builder()
        .handleIf((r, e) -> e != null && !(unwrap(e) instanceof CancellationException))
        .withBackoff(retry.initialDelay(), retry.maxDelay().compareTo(retry.initialDelay()) > 0 ? retry.maxDelay()
            : retry.initialDelay().plusMillis(1))
        .withJitter(0.1)
        .withMaxRetries(-1)
        .abortIf((r, e) -> e != null && (closed.get() || supersededBy.getAsBoolean()))
        .onRetryScheduled(ev -> LOG.info("{} failed (attempt {}); retrying in {}: {}", what, ev.getAttemptCount(),
            ev.getDelay(), message(ev.getLastException())))
        .build();
    return Failsafe.with(policy).with(scheduler).getStageAsync(() -> {
      if (closed.get()) {
        return CompletableFuture.failedFuture(new CancellationException("daemon closed"));
      }
      return CompletableFuture.supplyAsync(attempt, executor);
    });
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The message of {@code e}'s cause, or its class name when it has none. */
  static String message(Throwable e) {
    if (e == null) {
      return "";
    }
    Throwable t = unwrap(e);
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  static String shortId(String commit) {
    return commit == null ? "" : commit.length() > 12 ? commit.substring(0, 12) : commit;
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
