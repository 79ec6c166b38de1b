package dev.paved.apply;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One piece of work at a time, newer requests coalesced: a latest-wins slot, never a queue.
 *
 * <p>{@link #submit} starts the work at once when the slot is idle. While work runs, a submitted
 * value waits in the one pending place, replacing any value waiting there before it; when the
 * running work ends, the pending value (the newest) runs next. So at most one run and one
 * pending value exist, however many requests arrive.
 *
 * <p>The work is asynchronous ({@code value -> CompletionStage}): the slot stays busy until the
 * stage completes, e.g. through retries with backoff, without holding a thread. The future
 * {@link #submit} returns completes when the run that covers the request ends: its own run, or
 * the run of a newer value that replaced it (every request coalesced into one run shares that
 * run's outcome).
 */
public final class LatestWins<T> {

  private final Executor executor;
  private final Function<T, ? extends CompletionStage<?>> work;
  private final Object lock = new Object();

  private boolean running;
  private boolean hasPending;
  private T pending;
  private CompletableFuture<Void> pendingDone;
  private boolean closed;
  private long runs;

  /** {@code work} starts on {@code executor}. */
  public LatestWins(Executor executor, Function<T, ? extends CompletionStage<?>> work) {
    this.executor = executor;
    this.work = work;
  }

  /**
   * Runs {@code value} now, or after the running work (replacing a value already waiting).
   * After {@link #close}, fails with a {@link RejectedExecutionException}.
   */
  public CompletableFuture<Void> submit(T value) {
    CompletableFuture<Void> done;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new RejectedExecutionException("closed"));
      }
      if (running) {
        pending = value;
        hasPending = true;
        if (pendingDone == null) {
          pendingDone = new CompletableFuture<>();
        }
        return pendingDone.copy();
      }
      running = true;
      done = new CompletableFuture<>();
    }
    start(value, done);
    return done.copy();
  }

  /** Whether a value waits for the running work to end (the running work may then give up early). */
  public boolean hasPending() {
    synchronized (lock) {
      return hasPending;
    }
  }

  /** Whether work runs now. */
  public boolean busy() {
    synchronized (lock) {
      return running;
    }
  }

  /** How many runs have started so far. */
  public long runs() {
    synchronized (lock) {
      return runs;
    }
  }

  /**
   * Accepts nothing more; a value still waiting is dropped (its future fails with a {@link
   * CancellationException}). Work already running goes on: see {@link #awaitIdle}.
   */
  public void close() {
    CompletableFuture<Void> dropped;
    synchronized (lock) {
      closed = true;
      dropped = pendingDone;
      pending = null;
      hasPending = false;
      pendingDone = null;
    }
    if (dropped != null) {
      dropped.completeExceptionally(new CancellationException("closed before it ran"));
    }
  }

  /** Waits until no work runs, at most {@code timeout}; true when idle. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (running || hasPending) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  private void start(T value, CompletableFuture<Void> done) {
    synchronized (lock) {
      runs++;
    }
    try {
      executor.execute(() -> {
        CompletionStage<?> stage;
        try {
          stage = work.apply(value);
        } catch (RuntimeException | Error e) {
          stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((r, e) -> {
          // Free the slot first: whoever is woken by `done` sees the next run already started.
          next();
          if (e != null) {
            done.completeExceptionally(e);
          } else {
            done.complete(null);
          }
        });
      });
    } catch (RejectedExecutionException e) {
      next();
      done.completeExceptionally(e);
    }
  }

  private void next() {
    T value;
    CompletableFuture<Void> done;
    synchronized (lock) {
      if (!hasPending || closed) {
        running = false;
        lock.notifyAll();
        return;
      }
      value = pending;
      done = pendingDone;
      pending = null;
      hasPending = false;
      pendingDone = null;
    }
    start(value, done);
  }
}
