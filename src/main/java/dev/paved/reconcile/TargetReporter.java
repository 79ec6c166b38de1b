package dev.paved.reconcile;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.DriftReport;
import dev.paved.apply.DriftWatcher;
import dev.paved.apply.InventoryStore;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to one target, told once to everything that follows it: how each reconcile ended
 * (synced, partial, held, failed, refused; or held before it began: {@link #held}) and each drift seen or corrected, into the target's
 * {@link TargetStatus}, its {@link TargetEvents}, the metrics and the log.
 */
final class TargetReporter implements DriftWatcher.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(TargetReporter.class);

  private final DaemonContext context;
  private final String repo;
  private final String environment;
  private final TargetStatus status;
  private final TargetEvents events;

  TargetReporter(DaemonContext context, String repo, String environment, TargetStatus status, TargetEvents events) {
    this.context = context;
    this.repo = repo;
    this.environment = environment;
    this.status = status;
    this.events = events;
  }

  /** A move was held ({@link HeadGate}): nothing written, the status says why; logged once per hold. */
  void held(HeadGate.Hold hold, Duration took) {
    boolean news = status.held(hold, context.clock.instant());
    context.metrics.reconciled(repo, environment, took, "held");
    if (news) {
      LOG.warn("{}/{}: commit {} held, nothing applied ({} stays): {}; {}", repo, environment,
          DaemonContext.shortId(hold.commit()), hold.applied().map(DaemonContext::shortId).orElse("what is applied"),
          hold.message(), hold.reason().remedy(repo));
      events.held(hold, hold.reason().remedy(repo));
    } else {
      LOG.debug("{}/{}: commit {} still held: {}", repo, environment, DaemonContext.shortId(hold.commit()),
          hold.message());
    }
  }

  void succeeded(TargetRequest r, TargetSync.Result result, Duration took) {
    ChangeSet c = result.changes();
    SyncState state = result.synced() ? SyncState.SYNCED : c.partial() ? SyncState.PARTIAL : SyncState.HELD;
    String error = null;
    if (state == SyncState.PARTIAL) {
      List<ChangeSet.Entry> problems = new ArrayList<>(c.of(Action.FAILED));
      problems.addAll(c.of(Action.CONFLICT));
      error = describe(problems, "failed or in conflict");
    } else if (state == SyncState.HELD && r.removed() && !r.prune().enabled()) {
      long n = c.count(Action.HELD);
      error = c.of(Action.HELD).get(0).reason() + " (" + n + (n == 1 ? " object" : " objects") + " held, as the"
          + " inventory " + InventoryStore.NAMESPACE + "/" + InventoryStore.name(repo, environment) + " records)";
    } else if (state == SyncState.HELD) {
      error = describe(c.of(Action.HELD), "held");
    }
    Instant now = context.clock.instant();
    status.synced(r, c, state, error, now);
    events.synced(r.commit(), state, error, now);
    context.metrics.changes(repo, environment, c);
    context.metrics.reconciled(repo, environment, took, state.name().toLowerCase(java.util.Locale.ROOT));
    if (state == SyncState.SYNCED) {
      context.metrics.lastSuccess(repo, environment, now);
    }
    LOG.info("{}/{} at {}: {} ({} ms)", repo, environment, DaemonContext.shortId(r.commit()), c.summary(), took.toMillis());
  }

  /** An attempt failed; {@code requested} is the newest request (read only when the failure is news). */
  void failed(RuntimeException ex, Duration took, Supplier<TargetRequest> requested) {
    String message = DaemonContext.message(ex);
    boolean repeated = status.failed(message);
    context.metrics.reconciled(repo, environment, took, "failed");
    if (!repeated) {
      TargetRequest r = requested.get();
      events.failed(r == null ? null : r.commit(), message);
    }
    if (repeated) {
      LOG.debug("{}/{}: reconcile failed again: {}", repo, environment, message); // said once is enough
    } else {
      LOG.warn("{}/{}: reconcile failed (retrying with backoff): {}", repo, environment, message);
    }
  }

  /** The apiserver refused a write of Paved's own (its inventory): a target error, said once, not retried. */
  void refused(String message, Duration took) {
    status.failed(message);
    context.metrics.reconciled(repo, environment, took, "failed");
    context.metrics.inventoryRefused(repo, environment);
    TargetRequest r = status.applied();
    events.failed(r == null ? null : r.commit(), message);
    LOG.error("{}/{}: {} (not retried until the next commit or resync)", repo, environment, message);
  }

  @Override
  public void drifted(DriftReport report) {
    context.metrics.driftDetected(repo, environment);
    events.drifted(report, serviceOf(report.key()));
  }

  @Override
  public void corrected(DriftReport report, ChangeSet.Entry result) {
    if (result.action() != Action.FAILED) {
      context.metrics.driftCorrected(repo, environment);
      status.corrected(report);
      events.corrected(report, serviceOf(report.key()));
    }
  }

  private String serviceOf(ObjectKey key) {
    return status.serviceOf(key);
  }

  /** {@code entries} in one line: how many, and the first five. */
  static String describe(List<ChangeSet.Entry> entries, String what) {
    String head = entries.size() + (entries.size() == 1 ? " object " : " objects ") + what + ": ";
    return head + entries.stream().limit(5).map(ChangeSet.Entry::toString).collect(Collectors.joining("; "))
        + (entries.size() > 5 ? "; ..." : "");
  }
}
