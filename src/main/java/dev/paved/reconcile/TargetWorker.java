package dev.paved.reconcile;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.Clusters;
import dev.paved.apply.DriftWatcher;
import dev.paved.apply.HealthStatus;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Cluster;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.ObjectKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One target (an environment of a repo, on its cluster) in the daemon: its reconciles (one at a
 * time, retried with backoff: {@link ReconcileSlot}), each a {@link TargetSync} on the target's
 * {@link TargetEngine}, an environment's removal, and what is known of it ({@link TargetStatus}); how
 * each ended is told by its {@link TargetReporter}.
 */
final class TargetWorker {

  private static final Logger LOG = LoggerFactory.getLogger(TargetWorker.class);

  private final DaemonContext context;
  private final String repo;
  private final String environment;
  private final ReconcileSlot syncs;
  private final TargetStatus status;
  private volatile boolean retired;
  /** Held during a reconcile attempt (so that standing down never closes the engine under one). */
  private final java.util.concurrent.locks.ReentrantLock attempting = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.atomic.AtomicBoolean healthQueued = new java.util.concurrent.atomic.AtomicBoolean();

  // Guarded by `this`.
  private TargetEngine engine;
  private TargetRequest requested;

  /** The label naming the daemon repo an inventory belongs to (for people). */
  static final String REPO_LABEL = "paved.dev/repo";
  /** The label that ties an inventory to its source (URL, branch, path), to find it after a restart. */
  static final String SOURCE_LABEL = "paved.dev/source";

  private final java.util.function.Consumer<TargetWorker> gone;
  private final String source;
  // Guarded by `this`: the last request for a declared (not removed) environment.
  private TargetRequest declared;
  private final TargetEvents events;
  private final TargetReporter reporter;

  /** The gate every move of this target passes before anything is written. */
  private final HeadGate gate;

  /**
   * {@code gone} is called (on a sync thread) once a removed environment's objects are all pruned;
   * {@code autoRevert}: the repo's automatic rollback ({@code onDegraded}); {@code gate}: the repo's
   * {@link HeadGate}.
   */
  TargetWorker(DaemonContext context, DaemonConfig.Repo repo, String environment,
      java.util.function.Consumer<TargetWorker> gone, TargetEvents.AutoRevert autoRevert, HeadGate gate) {
    this.gate = gate;
    this.events = new TargetEvents(context, repo.name(), environment, autoRevert);
    this.gone = gone;
    this.source = RepoUrls.source(repo);
    this.context = context;
    this.repo = repo.name();
    this.environment = environment;
    this.status = new TargetStatus(this.repo, environment);
    this.reporter = new TargetReporter(context, this.repo, environment, status, events);
    this.syncs = new ReconcileSlot(context, repo.name() + "/" + environment, this::attempt, () -> retired);
  }

  String environment() {
    return environment;
  }

  /**
   * Asks for a reconcile at {@code request}; coalesced with one waiting. A request for another
   * commit ends a retry's backoff at once: the newer commit is reconciled now, not after the delay.
   */
  CompletionStage<Void> request(TargetRequest request) {
    synchronized (this) {
      requested = request;
      if (!request.removed()) {
        declared = request;
      }
    }
    return syncs.submit(request);
  }

  /** How many reconciles have started (for tests). */
  long runs() {
    return syncs.runs();
  }

  /** The removal of this target at {@code commit}, on the cluster (and with the allowed kinds) last declared. */
  synchronized TargetRequest removal(String commit, boolean prune) {
    TargetRequest last = declared != null ? declared : requested;
    return TargetRequest.removal(commit, environment, last.cluster(), last.removed() ? java.util.Set.of()
        : last.prune().allowedProtectedKinds(), prune);
  }

  private synchronized TargetRequest requested() {
    return requested;
  }

  /** Whether the newest request is a removal (so that a pruned target may go). */
  synchronized boolean removing() {
    return requested != null && requested.removed();
  }

  /**
   * One reconcile; throws (to be retried) when the cluster cannot be reached, when objects failed
   * ({@code PARTIAL}: they are applied again after the backoff), or when the sync was stopped.
   */
  private TargetSync.Result attempt(TargetRequest r) {
    if (retired) {
      throw new CancellationException("target no longer followed");
    }
    if (!context.gate.enter(repo, environment)) {
      LOG.debug("{}/{}: not reconciled here (another replica holds its Lease)", repo, environment);
      return null; // reconciled when this replica takes the target (TargetLeases.Listener#acquired)
    }
    attempting.lock();
    try {
      return attemptHeld(r);
    } finally {
      attempting.unlock();
      context.gate.exit(repo, environment);
    }
  }

  private TargetSync.Result attemptHeld(TargetRequest r) {
    if (!context.enter()) {
      throw new CancellationException("daemon closed");
    }
    MDC.put("repo", repo);
    MDC.put("target", environment);
    MDC.put("commit", r.commit());
    long start = System.nanoTime();
    status.syncing();
    TargetSync.Result result;
    try {
      TargetEngine e = engine(r.cluster());
      Clusters.ping(r.cluster(), e.client);
      Optional<HeadGate.Hold> hold = gate(r, e);
      if (hold.isPresent()) {
        reporter.held(hold.get(), Duration.ofNanos(System.nanoTime() - start));
        return null; // not retried: the next commit, a resync or an acceptance asks again
      }
      e.watch(r);
      result = TargetSync.run(r.state(), r.prune(), r.commit(), e.manager, e.inventories,
          new TargetSync.Options(false, new ResourceManager.Options(context.config.defaults().applyConcurrency(),
              false, Duration.ofSeconds(30)).withIgnore(r.ignore())).confining(r.platform()));
      if (result.error().isPresent() && !context.gate.holds(repo, environment)) {
        // The Lease lost or not renewed in time mid-sync: the inventory write was refused. Tried
        // again after the backoff: the gate then says whether this replica holds the target again.
        LOG.info("{}/{}: stopped: {}", repo, environment, result.error().get());
        throw new LeaseLapsed(result.error().get());
      }
      if (result.refused()) {
        reporter.refused(result.error().orElse("refused"), Duration.ofNanos(System.nanoTime() - start));
        return result; // not retried: the same write would be refused again; the next commit or resync tries
      }
      if (result.error().isPresent()) {
        throw new IllegalStateException(result.error().get());
      }
      if (r.removed()) {
        result = removed(r, result, e.inventories);
      }
      reporter.succeeded(r, result, Duration.ofNanos(System.nanoTime() - start));
      refreshHealth();
    } catch (CancellationException | LeaseLapsed ex) {
      throw ex; // stopped (closing, or the Lease lost): not a failure of the target
    } catch (RuntimeException ex) {
      if (!context.gate.holds(repo, environment)) {
        throw new LeaseLapsed(DaemonContext.message(ex));
      }
      reporter.failed(ex, Duration.ofNanos(System.nanoTime() - start), this::requested);
      throw ex;
    } finally {
      MDC.remove("repo");
      MDC.remove("target");
      MDC.remove("commit");
      context.exit();
    }
    if (result.changes().partial()) {
      throw new PartialSync(TargetReporter.describe(result.changes().of(Action.FAILED), "failed"));
    }
    if (r.removed() && result.synced()) {
      LOG.info("{}/{}: the environment left the repo and everything its inventory recorded is pruned", repo,
          environment);
      gone.accept(this);
    }
    return result;
  }

  /**
   * The outcome of a removal: held deletions say why (the environment left the repo, and how to
   * let Paved prune it); once nothing is left, the inventory itself goes.
   */
  private TargetSync.Result removed(TargetRequest r, TargetSync.Result result, InventoryStore inventories) {
    if (result.synced()) {
      inventories.delete(environment);
      return result;
    }
    if (r.prune().enabled()) {
      return result; // protected kinds the environment never allowed: the guard's own reason
    }
    String reason = "environment " + environment + " is no longer in repo " + repo + "; set"
        + " pruneRemovedEnvironments: true on the repo in the daemon config to delete its objects";
    List<ChangeSet.Entry> entries = result.changes().entries().stream().map(en -> en.action() == Action.HELD
        ? new ChangeSet.Entry(en.key(), Action.HELD, reason) : en).toList();
    return new TargetSync.Result(result.environment(), result.commit(), new ChangeSet(entries), result.error());
  }

  /**
   * Asks the gate whether the target may move to {@code r}'s commit from the one its inventory in
   * the cluster records as applied from this repo's source (the anchor, whatever this process
   * remembers: it survives a restart on an empty disk; a commit {@code paved apply} or another
   * source recorded is none). A question that cannot be answered fails the attempt (retried),
   * never lets it go.
   */
  private Optional<HeadGate.Hold> gate(TargetRequest r, TargetEngine e) {
    Optional<String> applied = e.inventories.commit(environment, Map.of(SOURCE_LABEL, source));
    try {
      return gate.check(new HeadGate.Move(repo, environment, applied, r.commit()));
    } catch (RuntimeException ex) {
      throw ex;
    } catch (Exception ex) {
      throw new IllegalStateException("cannot check commit " + DaemonContext.shortId(r.commit()) + " before applying"
          + " it: " + DaemonContext.message(ex), ex);
    }
  }

  /** The Lease was lost (or not renewed in time) mid-sync: retried, and skipped then unless held again. */
  private static final class LeaseLapsed extends RuntimeException {
    LeaseLapsed(String message) {
      super(message, null, false, false);
    }
  }

  /** Some objects were refused: retried with backoff like any failure (the status says PARTIAL). */
  private static final class PartialSync extends RuntimeException {
    PartialSync(String message) {
      super(message, null, false, false);
    }
  }

  // ------------------------------------------------------------------ engine

  private synchronized TargetEngine engine(Cluster cluster) {
    if (engine != null && engine.cluster.equals(cluster)) {
      return engine;
    }
    if (context.closed() || retired) {
      throw new CancellationException("closed");
    }
    if (engine != null) {
      LOG.info("cluster {} of {}/{} changed; reconnecting", cluster.name(), repo, environment);
      engine.close();
      engine = null;
    }
    engine = new TargetEngine(context, cluster, Clusters.connect(cluster, context.connections), repo, environment,
        Map.of(REPO_LABEL, repo, SOURCE_LABEL, source), reporter);
    return engine;
  }

  // ------------------------------------------------------------------ health and status

  /** Queues a {@link #refreshHealth} on {@code executor} unless one is queued already. */
  void scheduleHealth(java.util.concurrent.Executor executor) {
    if (healthQueued.compareAndSet(false, true)) {
      try {
        executor.execute(() -> {
          healthQueued.set(false);
          refreshHealth();
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        healthQueued.set(false);
      }
    }
  }

  /** What the last health refresh assessed, by the resourceVersion it saw: unchanged objects are not parsed again. */
  private volatile Map<ObjectKey, HealthWait.Assessed> assessed = Map.of();

  /** Health of the applied objects, from the watch cache (no request; only objects that changed are read). */
  void refreshHealth() {
    TargetEngine e;
    synchronized (this) {
      e = engine;
    }
    TargetRequest r = status.applied();
    if (e == null || r == null) {
      return;
    }
    try {
      Map<ObjectKey, HealthWait.Assessed> next = new java.util.HashMap<>();
      Map<ObjectKey, HealthStatus> now = HealthWait.assess(r.state().objects().stream().map(DesiredObject::key)
          .toList(), e.cache, assessed, next);
      assessed = next;
      HealthStatus aggregate = HealthStatus.aggregate(new ArrayList<>(now.values()));
      status.health(r, now, aggregate);
      events.health(r, now, aggregate);
    } catch (RuntimeException ex) {
      LOG.debug("health of {}/{} not refreshed: {}", repo, environment, ex.getMessage());
    }
  }

  /** {@code service} in this target, for its page; empty when it has no object here. */
  Optional<ServiceView.Environment> serviceView(String service) {
    TargetStatus.View v = view();
    return status.serviceView(service, v);
  }

  TargetStatus.View view() {
    TargetRequest r;
    DriftWatcher watcher;
    synchronized (this) {
      r = requested;
      watcher = engine == null ? null : engine.watcher();
    }
    return status.view(r, watcher == null ? List.of() : watcher.drift().values());
  }

  /** What this replica, {@code replica}, knows of the target now, for the others (HA); never waits on this worker. */
  HolderReport report(String replica, java.time.Instant at) {
    return status.report(replica, at);
  }

  /** The status while replica {@code holder} (empty: none) holds the target: its {@code report}, not this replica's memory. */
  TargetStatus.View reported(String holder, Optional<HolderReport> report) {
    TargetRequest r;
    synchronized (this) {
      r = requested;
    }
    return status.reported(r, holder, report);
  }

  // ------------------------------------------------------------------ shutdown

  /** No more reconciles, no more drift checks; a reconcile under way goes on (the daemon drains it). */
  void stopAccepting() {
    syncs.close();
    synchronized (this) {
      if (engine != null) {
        engine.stopWatching();
      }
    }
  }

  /**
   * The environment left the repo: no more reconciles; the engine closes once the running one
   * ends (its objects stay in the cluster).
   */
  void retire() {
    retired = true;
    syncs.close();
    try {
      context.drift.execute(() -> {
        try {
          syncs.awaitIdle(context.config.drainTimeout());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        close();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      close(); // the daemon is closing
    }
  }

  /**
   * This replica no longer holds the target (HA): its watch cache, drift watcher and client go,
   * once a reconcile under way ended (its inventory write is refused by the gate); made again if
   * it takes the target back. Off the caller's thread.
   */
  void standDown() {
    try {
      context.drift.execute(() -> {
        try { // a reconcile under way ends first: its next inventory write is refused (the gate)
          if (!attempting.tryLock(context.config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{}/{}: a reconcile still runs {} after the Lease was lost", repo, environment,
                context.config.drainTimeout());
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        try {
          closeUnheld();
        } finally {
          attempting.unlock();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: close() does it
    }
  }

  private synchronized void closeUnheld() {
    if (engine != null && !context.gate.holds(repo, environment)) {
      LOG.info("{}/{}: another replica holds it now; closing its watches here", repo, environment);
      try {
        engine.close();
      } catch (RuntimeException e) {
        LOG.debug("closing {}/{}: {}", repo, environment, e.getMessage());
      }
      engine = null;
    }
  }

  synchronized void close() {
    syncs.close();
    if (engine != null) {
      try {
        engine.close();
      } catch (RuntimeException e) {
        LOG.debug("closing {}/{}: {}", repo, environment, e.getMessage());
      }
      engine = null;
    }
  }
}
