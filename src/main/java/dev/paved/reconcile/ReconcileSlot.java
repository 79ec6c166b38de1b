package dev.paved.reconcile;

import dev.paved.apply.LatestWins;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target's reconciles: one at a time, newer requests coalesced ({@link LatestWins}), each
 * retried with the daemon's backoff until it succeeds or a newer request waits. A request for
 * another commit also ends a backoff at once: the retries are cancelled while they wait between
 * attempts (never during an attempt), and the newer commit runs now.
 */
final class ReconcileSlot {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcileSlot.class);

  private final DaemonContext context;
  private final String name;
  private final Function<TargetRequest, ?> attempt;
  private final BooleanSupplier stopped;
  private final LatestWins<TargetRequest> slot;

  // Guarded by `this`.
  private TargetRequest newest;
  private Run current;

  /**
   * {@code attempt} reconciles once and throws to be retried; {@code stopped} says the target is
   * gone (no retry then).
   */
  ReconcileSlot(DaemonContext context, String name, Function<TargetRequest, ?> attempt, BooleanSupplier stopped) {
    this.context = context;
    this.name = name;
    this.attempt = attempt;
    this.stopped = stopped;
    this.slot = new LatestWins<>(context.syncs, this::run);
  }

  /** The reconcile in the slot: its retries, and whether an attempt runs (else it waits for one). */
  private static final class Run {
    final TargetRequest request;
    CompletableFuture<?> retries;
    boolean attempting;
    boolean interrupted;

    Run(TargetRequest request) {
      this.request = request;
    }
  }

  /** Asks for a reconcile at {@code request}; completes when the run covering it ends. */
  CompletionStage<Void> submit(TargetRequest request) {
    synchronized (this) {
      newest = request;
    }
    CompletionStage<Void> done = slot.submit(request);
    interruptBackoff(request);
    return done;
  }

  long runs() {
    return slot.runs();
  }

  void close() {
    slot.close();
  }

  boolean awaitIdle(Duration timeout) throws InterruptedException {
    return slot.awaitIdle(timeout);
  }

  private CompletionStage<?> run(TargetRequest request) {
    Run run = new Run(request);
    synchronized (this) {
      current = run;
    }
    CompletableFuture<?> retries = context.withRetries("reconcile of " + name + " at "
        + DaemonContext.shortId(request.commit()), () -> attempt(run), context.syncs,
        () -> stopped.getAsBoolean() || slot.hasPending());
    TargetRequest latest;
    synchronized (this) {
      run.retries = retries;
      latest = newest;
    }
    interruptBackoff(latest); // a request that came before the retries could be cancelled
    return retries.exceptionally(e -> null); // the failure is in the status; the slot moves on
  }

  private Object attempt(Run run) {
    synchronized (this) {
      if (run.interrupted) {
        throw new CancellationException("a newer commit is reconciled instead");
      }
      run.attempting = true;
    }
    try {
      return attempt.apply(run.request);
    } finally {
      synchronized (this) {
        run.attempting = false;
      }
    }
  }

  /** Cancels the running reconcile's retries when they wait and {@code newer}, for another commit, waits. */
  private void interruptBackoff(TargetRequest newer) {
    CompletableFuture<?> cancel = null;
    Run r;
    synchronized (this) {
      r = current;
      if (r != null && r.retries != null && !r.attempting && !r.interrupted && newer != null
          && !newer.commit().equals(r.request.commit()) && slot.hasPending()) {
        r.interrupted = true; // an attempt about to start sees this and gives way
        cancel = r.retries;
      }
    }
    if (cancel != null && cancel.cancel(false)) {
      LOG.info("{}: commit {} ends the retries of {}", name, DaemonContext.shortId(newer.commit()),
          DaemonContext.shortId(r.request.commit()));
    }
  }
}
