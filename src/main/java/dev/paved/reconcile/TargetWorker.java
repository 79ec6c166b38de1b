package dev.paved.reconcile;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.Clusters;
import dev.paved.apply.DriftReport;
import dev.paved.apply.DriftWatcher;
import dev.paved.apply.HealthStatus;
import dev.paved.apply.InformerLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.LatestWins;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Cluster;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One target (an environment of a repo, on its cluster) in the daemon: one reconcile at a time,
 * newer requests coalesced ({@link LatestWins}), and the engine that lives as long as the target:
 * cluster client, watch cache, resource manager, inventory store, drift watcher.
 */
final class TargetWorker {

  private static final Logger LOG = LoggerFactory.getLogger(TargetWorker.class);
  private static final int RECENT_CORRECTIONS = 10;

  /** The target's status, and its services'. */
  record View(DaemonStatus.Target target, List<DaemonStatus.ServiceInEnvironment> services) {}

  private final DaemonContext context;
  private final String repo;
  private final String environment;
  private final LatestWins<TargetRequest> syncs;
  private volatile boolean retired;
  private final java.util.concurrent.atomic.AtomicBoolean healthQueued = new java.util.concurrent.atomic.AtomicBoolean();

  // Guarded by `this`.
  private Engine engine;
  private TargetRequest requested;
  private TargetRequest applied;
  private Run current;
  private SyncState sync = SyncState.PENDING;
  private ChangeSet changes = ChangeSet.empty();
  private String lastError;
  private Instant lastSync;
  private HealthStatus health = HealthStatus.unknown("Not reconciled yet.");
  private Map<ObjectKey, HealthStatus> objectHealth = Map.of();
  private final Deque<DaemonStatus.Drift> corrections = new ArrayDeque<>();

  /** The label naming the daemon repo an inventory belongs to (for people). */
  static final String REPO_LABEL = "paved.dev/repo";
  /** The label that ties an inventory to its source (URL, branch, path), to find it after a restart. */
  static final String SOURCE_LABEL = "paved.dev/source";

  /** The value of {@link #SOURCE_LABEL} for {@code repo}: a digest of where its config comes from. */
  static String source(DaemonConfig.Repo repo) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest((RepoUrls.normalize(repo.url()) + "#"
          + repo.branch() + ":" + repo.path()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private final java.util.function.Consumer<TargetWorker> gone;
  private final String source;
  // Guarded by `this`: the last request for a declared (not removed) environment.
  private TargetRequest declared;

  /** {@code gone} is called (on a sync thread) once a removed environment's objects are all pruned. */
  TargetWorker(DaemonContext context, DaemonConfig.Repo repo, String environment,
      java.util.function.Consumer<TargetWorker> gone) {
    this.gone = gone;
    this.source = source(repo);
    this.context = context;
    this.repo = repo.name();
    this.environment = environment;
    this.syncs = new LatestWins<>(context.syncs, this::run);
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
    CompletionStage<Void> done = syncs.submit(request);
    interruptBackoff(request);
    return done;
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

  /** Whether the newest request is a removal (so that a pruned target may go). */
  synchronized boolean removing() {
    return requested != null && requested.removed();
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

  private CompletionStage<?> run(TargetRequest request) {
    Run run = new Run(request);
    synchronized (this) {
      current = run;
    }
    CompletableFuture<TargetSync.Result> retries = context.withRetries("reconcile of " + repo + "/" + environment
        + " at " + DaemonContext.shortId(request.commit()), () -> attempt(run), context.syncs,
        () -> retired || syncs.hasPending());
    TargetRequest newest;
    synchronized (this) {
      run.retries = retries;
      newest = requested;
    }
    interruptBackoff(newest); // a request that came before the retries could be cancelled
    return retries.exceptionally(e -> null); // the failure is in the status; the slot moves on
  }

  /**
   * Cancels the running reconcile's retries when they wait (between attempts) and {@code newer},
   * for another commit, waits in the slot. An attempt under way is never cut short.
   */
  private void interruptBackoff(TargetRequest newer) {
    CompletableFuture<?> cancel = null;
    Run r;
    synchronized (this) {
      r = current;
      if (r != null && r.retries != null && !r.attempting && !r.interrupted && newer != null
          && !newer.commit().equals(r.request.commit()) && syncs.hasPending()) {
        r.interrupted = true; // an attempt about to start sees this and gives way
        cancel = r.retries;
      }
    }
    if (cancel != null && cancel.cancel(false)) {
      LOG.info("{}/{}: commit {} ends the retries of {}", repo, environment, DaemonContext.shortId(newer.commit()),
          DaemonContext.shortId(r.request.commit()));
    }
  }

  /**
   * One reconcile; throws (to be retried) when the cluster cannot be reached, when objects failed
   * ({@code PARTIAL}: they are applied again after the backoff), or when the sync was stopped.
   */
  private TargetSync.Result attempt(Run run) {
    TargetRequest r = run.request;
    if (retired) {
      throw new CancellationException("target no longer followed");
    }
    synchronized (this) {
      if (run.interrupted) {
        throw new CancellationException("a newer commit is reconciled instead");
      }
      run.attempting = true;
    }
    if (!context.enter()) {
      attemptEnded(run);
      throw new CancellationException("daemon closed");
    }
    MDC.put("repo", repo);
    MDC.put("target", environment);
    MDC.put("commit", r.commit());
    long start = System.nanoTime();
    synchronized (this) {
      sync = SyncState.SYNCING;
    }
    TargetSync.Result result;
    try {
      Engine e = engine(r.cluster());
      Clusters.ping(r.cluster(), e.client);
      e.watch(r);
      result = TargetSync.run(r.state(), r.prune(), r.commit(), e.manager, e.inventories,
          new TargetSync.Options(false, new ResourceManager.Options(context.config.defaults().applyConcurrency(),
              false, Duration.ofSeconds(30)).withIgnore(r.ignore())));
      if (result.refused()) {
        refused(result.error().orElse("refused"), Duration.ofNanos(System.nanoTime() - start));
        return result; // not retried: the same write would be refused again; the next commit or resync tries
      }
      if (result.error().isPresent()) {
        throw new IllegalStateException(result.error().get());
      }
      if (r.removed()) {
        result = removed(r, result, e.inventories);
      }
      succeeded(r, result, Duration.ofNanos(System.nanoTime() - start));
      refreshHealth();
    } catch (RuntimeException ex) {
      failed(ex, Duration.ofNanos(System.nanoTime() - start));
      throw ex;
    } finally {
      MDC.remove("repo");
      MDC.remove("target");
      MDC.remove("commit");
      context.exit();
      attemptEnded(run);
    }
    if (result.changes().partial()) {
      throw new PartialSync(describe(result.changes().of(Action.FAILED), "failed"));
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

  private synchronized void attemptEnded(Run run) {
    run.attempting = false;
  }

  /** Some objects were refused: retried with backoff like any failure (the status says PARTIAL). */
  private static final class PartialSync extends RuntimeException {
    PartialSync(String message) {
      super(message, null, false, false);
    }
  }

  private void succeeded(TargetRequest r, TargetSync.Result result, Duration took) {
    ChangeSet c = result.changes();
    SyncState state = result.synced() ? SyncState.SYNCED : c.partial() ? SyncState.PARTIAL : SyncState.HELD;
    String error = null;
    if (state == SyncState.PARTIAL) {
      error = describe(c.of(Action.FAILED), "failed");
    } else if (state == SyncState.HELD && r.removed() && !r.prune().enabled()) {
      long n = c.count(Action.HELD);
      error = c.of(Action.HELD).get(0).reason() + " (" + n + (n == 1 ? " object" : " objects") + " held, as the"
          + " inventory " + InventoryStore.NAMESPACE + "/paved-inventory-" + environment + " records)";
    } else if (state == SyncState.HELD) {
      error = describe(c.of(Action.HELD), "held");
    }
    Instant now = context.clock.instant();
    synchronized (this) {
      applied = r;
      changes = c;
      sync = state;
      lastError = error;
      lastSync = now;
    }
    context.metrics.changes(repo, environment, c);
    context.metrics.reconciled(repo, environment, took, state.name().toLowerCase(java.util.Locale.ROOT));
    if (state == SyncState.SYNCED) {
      context.metrics.lastSuccess(repo, environment, now);
    }
    LOG.info("{}/{} at {}: {} ({} ms)", repo, environment, DaemonContext.shortId(r.commit()), c.summary(), took.toMillis());
  }

  private void failed(RuntimeException ex, Duration took) {
    String message = DaemonContext.message(ex);
    boolean repeated;
    synchronized (this) {
      repeated = sync == SyncState.SYNCING && message.equals(lastError);
      sync = SyncState.FAILED;
      lastError = message;
    }
    context.metrics.reconciled(repo, environment, took, "failed");
    if (repeated) {
      LOG.debug("{}/{}: reconcile failed again: {}", repo, environment, message); // said once is enough
    } else {
      LOG.warn("{}/{}: reconcile failed (retrying with backoff): {}", repo, environment, message);
    }
  }

  /** The apiserver refused a write of Paved's own (its inventory): a target error, said once, not retried. */
  private void refused(String message, Duration took) {
    synchronized (this) {
      sync = SyncState.FAILED;
      lastError = message;
    }
    context.metrics.reconciled(repo, environment, took, "failed");
    context.metrics.inventoryRefused(repo, environment);
    LOG.error("{}/{}: {} (not retried until the next commit or resync)", repo, environment, message);
  }

  private static String describe(List<ChangeSet.Entry> entries, String what) {
    String head = entries.size() + (entries.size() == 1 ? " object " : " objects ") + what + ": ";
    return head + entries.stream().limit(5).map(ChangeSet.Entry::toString).collect(Collectors.joining("; "))
        + (entries.size() > 5 ? "; ..." : "");
  }

  // ------------------------------------------------------------------ engine

  private synchronized Engine engine(Cluster cluster) {
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
    engine = new Engine(cluster, Clusters.connect(cluster, context.connections));
    return engine;
  }

  /** The client, watch cache, resource manager, inventory store and drift watcher of the target. */
  private final class Engine implements AutoCloseable {
    final Cluster cluster;
    final KubernetesClient client;
    final InformerLiveState cache;
    final ResourceManager manager;
    final InventoryStore inventories;
    DriftWatcher watcher;

    Engine(Cluster cluster, KubernetesClient client) {
      this.cluster = cluster;
      this.client = client;
      this.cache = new InformerLiveState(client, environment);
      this.manager = new ResourceManager(client, Labels.MANAGER, cache, context.applies);
      this.inventories = new InventoryStore(client, Labels.MANAGER, InventoryStore.Options.defaults(),
          java.util.Map.of(REPO_LABEL, repo, SOURCE_LABEL, source));
    }

    /** Starts the drift watcher on the request's state, or swaps it in (before the sync, as it asks). */
    void watch(TargetRequest r) {
      if (watcher == null) {
        DriftWatcher w = new DriftWatcher(cache, manager, context.drift);
        w.addListener(new DriftListener());
        watcher = w.start(r.state(), r.drift(), r.ignore());
      } else {
        watcher.update(r.state(), r.drift(), r.ignore());
      }
    }

    @Override
    public void close() {
      try {
        if (watcher != null) {
          watcher.close();
        }
        cache.close();
      } finally {
        client.close();
      }
    }
  }

  private final class DriftListener implements DriftWatcher.Listener {
    @Override
    public void drifted(DriftReport report) {
      context.metrics.driftDetected(repo, environment);
    }

    @Override
    public void corrected(DriftReport report, ChangeSet.Entry result) {
      if (result.action() == Action.FAILED) {
        return;
      }
      context.metrics.driftCorrected(repo, environment);
      synchronized (TargetWorker.this) {
        corrections.addFirst(new DaemonStatus.Drift(report.key().toString(), report.fields(), report.managers(),
            report.at(), true));
        while (corrections.size() > RECENT_CORRECTIONS) {
          corrections.removeLast();
        }
      }
    }
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

  /** Health of the applied objects, from the watch cache (no request). */
  void refreshHealth() {
    Engine e;
    TargetRequest r;
    synchronized (this) {
      e = engine;
      r = applied;
    }
    if (e == null || r == null) {
      return;
    }
    try {
      Map<ObjectKey, HealthStatus> now = HealthWait.assess(r.state().objects().stream().map(DesiredObject::key)
          .toList(), e.cache);
      HealthStatus aggregate = HealthStatus.aggregate(new ArrayList<>(now.values()));
      synchronized (this) {
        if (applied == r) {
          objectHealth = now;
          health = aggregate;
        }
      }
    } catch (RuntimeException ex) {
      LOG.debug("health of {}/{} not refreshed: {}", repo, environment, ex.getMessage());
    }
  }

  synchronized View view() {
    TargetRequest shown = applied != null ? applied : requested;
    String cluster = shown == null ? "" : shown.cluster().name();
    List<DaemonStatus.Drift> drift = new ArrayList<>();
    if (engine != null && engine.watcher != null) {
      engine.watcher.drift().values().forEach(d -> drift.add(new DaemonStatus.Drift(d.key().toString(), d.fields(),
          d.managers(), d.at(), false)));
    }
    drift.addAll(corrections);
    Map<String, Long> counts = new TreeMap<>();
    changes.counts().forEach((a, n) -> counts.put(a.label(), n));
    DaemonStatus.Target target = new DaemonStatus.Target(repo, environment, cluster,
        Optional.ofNullable(applied).map(TargetRequest::commit), sync, health.state().label(), health.message(),
        drift, counts, Optional.ofNullable(lastError), Optional.ofNullable(lastSync));
    List<DaemonStatus.ServiceInEnvironment> services = new ArrayList<>();
    if (applied != null) {
      Map<String, List<ObjectKey>> byService = new TreeMap<>();
      for (DesiredObject o : applied.state().objects()) {
        if (o.service() != null) {
          byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o.key());
        }
      }
      Map<ObjectKey, Action> actions = new LinkedHashMap<>();
      changes.entries().forEach(e -> actions.put(e.key(), e.action()));
      byService.forEach((service, keys) -> {
        SyncState s = sync;
        if (s == SyncState.PARTIAL || s == SyncState.HELD || s == SyncState.SYNCED) {
          s = keys.stream().anyMatch(k -> actions.get(k) == Action.FAILED) ? SyncState.FAILED
              : keys.stream().anyMatch(k -> actions.get(k) == Action.HELD) ? SyncState.HELD : SyncState.SYNCED;
        }
        List<HealthStatus> hs = keys.stream().map(k -> objectHealth.get(k)).filter(h -> h != null).toList();
        String h = hs.isEmpty() ? HealthStatus.State.UNKNOWN.label() : HealthStatus.aggregate(hs).state().label();
        services.add(new DaemonStatus.ServiceInEnvironment(repo, service, environment,
            Optional.of(applied.commit()), s, h));
      });
    }
    return new View(target, services);
  }

  // ------------------------------------------------------------------ shutdown

  /** No more reconciles, no more drift checks; a reconcile under way goes on (the daemon drains it). */
  void stopAccepting() {
    syncs.close();
    synchronized (this) {
      if (engine != null && engine.watcher != null) {
        engine.watcher.close();
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
