package dev.paved.reconcile;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Diagnostic;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.EvaluationCache;
import dev.paved.apply.Clusters;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.PruneGuard;
import dev.paved.desired.EnvironmentState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The daemon core: keeps every target of every followed config repo equal to the newest good
 * commit of its branch. No Vert.x here: the HTTP edge calls {@link #refresh} (from its timers and
 * webhooks) and reads {@link #status} and {@link #metrics}; work runs on the daemon's own
 * threads and every method returns at once.
 *
 * <h2>Per repo</h2>
 *
 * A {@link #refresh} fetches the branch (on a git worker; refreshes coalesce in a
 * {@link LatestWins} slot). When the head moved, or was never evaluated, the commit is evaluated
 * ({@link EvaluationCache}, by commit id). A <b>blocked</b> commit (errors, or enforced policy
 * violations) changes nothing: the last good commit stays applied, and the repo's status shows
 * the failing commit with its problems as {@code file:line:col: severity: message} lines. A good
 * commit is handed to each of its environments (targets).
 *
 * <h2>Per target</h2>
 *
 * One reconcile at a time, newer requests coalesced (latest wins). Each target has its own
 * cluster client, watch cache ({@link dev.paved.apply.InformerLiveState}), resource manager,
 * inventory store and drift watcher (mode from the environment's {@code drift}). A reconcile:
 * update the drift watcher, {@link TargetSync#run}, then health from the watch cache.
 *
 * <h2>Failures outside Paved</h2>
 *
 * A git remote, apiserver or cluster that cannot be reached is retried with capped exponential
 * backoff (Failsafe; {@code defaults.retry}); a retry gives way to a newer request. Failures
 * show in status and metrics and never stop other repos or targets.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #create}, {@link #start} (first fetch of every repo, periodic full reconcile every
 * {@code resyncInterval}), {@link #close} (stops accepting work, lets in-flight applies end
 * within {@code drainTimeout}, closes watches, clients and threads).
 */
public final class Daemon implements DaemonApi, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /** How the daemon is built; {@link #defaults()} is what {@code paved serve} uses. */
  public record Options(RepoSource.Factory sources, Clusters.Overrides overrides,
      PrometheusMeterRegistry registry, Duration healthInterval, Clock clock) {

    public static Options defaults() {
      return new Options(MirrorSource::open, Clusters.Overrides.none(), null, Duration.ofSeconds(5),
          Clock.systemUTC());
    }

    public Options withSources(RepoSource.Factory f) {
      return new Options(f, overrides, registry, healthInterval, clock);
    }

    public Options withOverrides(Clusters.Overrides o) {
      return new Options(sources, o, registry, healthInterval, clock);
    }

    /** A registry to share (e.g. with Vert.x's own metrics); by default the daemon makes one. */
    public Options withRegistry(PrometheusMeterRegistry r) {
      return new Options(sources, overrides, r, healthInterval, clock);
    }

    public Options withHealthInterval(Duration d) {
      return new Options(sources, overrides, registry, d, clock);
    }
  }

  final DaemonConfig config;
  final Options options;
  final PrometheusMeterRegistry registry;
  final DaemonMetrics metrics;
  final Clock clock;
  private final Map<String, RepoWorker> repos = new LinkedHashMap<>();

  /** Fetch and evaluation. */
  final ExecutorService git;
  /** Reconcile attempts: at most one per target at a time. */
  final ExecutorService syncs;
  /** The resource managers' parallel applies (never the drift executor). */
  final ExecutorService applies;
  /** Drift checks and health refreshes. */
  final ExecutorService drift;
  /** Backoff delays, the periodic full reconcile, health refreshes. */
  final ScheduledExecutorService scheduler;

  final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private final Object inFlightLock = new Object();
  private int inFlight;

  private Daemon(DaemonConfig config, Options options) {
    this.config = config;
    this.options = options;
    this.clock = options.clock();
    this.registry = options.registry() != null ? options.registry()
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new DaemonMetrics(registry, version());
    int targets = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.git = Executors.newFixedThreadPool(Math.min(4, Math.max(1, config.repos().size())), threads("paved-git"));
    this.syncs = Executors.newFixedThreadPool(Math.max(4, targets), threads("paved-sync"));
    this.applies = Executors.newFixedThreadPool(Math.max(8, 2 * config.defaults().applyConcurrency()),
        threads("paved-apply"));
    this.drift = Executors.newFixedThreadPool(2, threads("paved-drift"));
    this.scheduler = Executors.newScheduledThreadPool(1, threads("paved-timer"));
    for (DaemonConfig.Repo r : config.repos()) {
      repos.put(r.name(), new RepoWorker(this, r));
    }
  }

  /** A daemon for {@code config}, not started yet. */
  public static Daemon create(DaemonConfig config) {
    return create(config, Options.defaults());
  }

  public static Daemon create(DaemonConfig config, Options options) {
    return new Daemon(config, options);
  }

  /**
   * Starts: fetches every repo once, then reconciles every target again each {@code
   * resyncInterval}. Polling is the caller's (the HTTP edge's timers call {@link #refresh} each
   * repo's {@code pollInterval}). Returns at once.
   */
  public Daemon start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      return this;
    }
    long resync = config.resyncInterval().toMillis();
    long health = options.healthInterval().toMillis();
    synchronized (timers) {
      timers.add(scheduler.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS));
      timers.add(scheduler.scheduleWithFixedDelay(this::refreshHealth, health, health, TimeUnit.MILLISECONDS));
    }
    repos.keySet().forEach(this::refresh);
    return this;
  }

  public DaemonConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ DaemonApi

  @Override
  public boolean ready() {
    return !repos.isEmpty() && repos.values().stream().allMatch(RepoWorker::loaded);
  }

  @Override
  public Set<String> repos() {
    return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(repos.keySet()));
  }

  @Override
  public CompletionStage<Void> refresh(String repo) {
    RepoWorker w = repos.get(repo);
    if (w == null) {
      return CompletableFuture.failedFuture(unknown(repo));
    }
    return w.refresh();
  }

  /**
   * A full reconcile of every target at its repo's last good commit (what the periodic timer
   * runs). Returns at once.
   */
  public void resync() {
    if (closed.get()) {
      return;
    }
    LOG.debug("periodic full reconcile");
    repos.values().forEach(RepoWorker::resync);
  }

  @Override
  public CompletionStage<RevertOutcome> revert(String repo, String commit, String reason, String actor) {
    RepoWorker w = repos.get(repo);
    if (w == null) {
      return CompletableFuture.failedFuture(unknown(repo));
    }
    return w.revert(commit, reason, actor);
  }

  @Override
  public Optional<String> webhookSecret(String repo) {
    RepoWorker w = repos.get(repo);
    if (w == null) {
      throw unknown(repo);
    }
    Optional<Path> file = w.repo.webhookSecretFile();
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String secret = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "the webhook secret file of repo \"" + repo
            + "\" is empty");
      }
      return Optional.of(secret);
    } catch (IOException e) {
      // Configured but unreadable: never "no secret", which would accept unsigned requests.
      throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "cannot read the webhook secret file of repo \""
          + repo + "\": " + e.getMessage(), e);
    }
  }

  @Override
  public PrometheusMeterRegistry metrics() {
    return registry;
  }

  @Override
  public DaemonStatus status() {
    List<DaemonStatus.Repo> rs = new ArrayList<>();
    List<DaemonStatus.Target> ts = new ArrayList<>();
    List<DaemonStatus.ServiceInEnvironment> ss = new ArrayList<>();
    for (RepoWorker w : repos.values()) {
      rs.add(w.status());
      for (TargetWorker t : w.targets()) {
        TargetWorker.View v = t.view();
        ts.add(v.target());
        ss.addAll(v.services());
      }
    }
    return new DaemonStatus(ready(), rs, ts, ss);
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops accepting work, lets in-flight fetches and applies finish (at most {@code
   * drainTimeout}), then closes watches, cluster clients, git mirrors and threads.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.info("stopping: draining in-flight work (at most {})", config.drainTimeout());
    synchronized (timers) {
      timers.forEach(t -> t.cancel(false));
    }
    repos.values().forEach(RepoWorker::stopAccepting);
    boolean drained = awaitInFlight(config.drainTimeout());
    if (!drained) {
      LOG.warn("in-flight work did not finish within {}; closing anyway", config.drainTimeout());
    }
    repos.values().forEach(RepoWorker::close);
    for (ExecutorService e : List.of(scheduler, git, syncs, drift, applies)) {
      e.shutdownNow();
    }
    try {
      for (ExecutorService e : List.of(scheduler, git, syncs, drift, applies)) {
        e.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Marks the start of blocking work that close() waits for; false when closed. */
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

  private boolean awaitInFlight(Duration timeout) {
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

  // ------------------------------------------------------------------ helpers

  private void refreshHealth() {
    if (closed.get()) {
      return;
    }
    for (RepoWorker w : repos.values()) {
      for (TargetWorker t : w.targets()) {
        t.scheduleHealth(drift);
      }
    }
  }

  /**
   * Retries {@code attempt} (run on {@code executor}) on any failure, with the configured capped
   * exponential backoff, until it succeeds, the daemon closes, or {@code supersededBy} says a
   * newer request waits (the newer request then runs instead).
   */
  <T> CompletableFuture<T> withRetries(String what, java.util.function.Supplier<T> attempt, ExecutorService executor,
      java.util.function.BooleanSupplier supersededBy) {
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
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String message(Throwable e) {
    if (e == null) {
      return "";
    }
    Throwable t = unwrap(e);
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private static DaemonFailure unknown(String repo) {
    return new DaemonFailure(DaemonFailure.Kind.UNKNOWN_REPO, "no followed repo is called \"" + repo + "\"");
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  static String shortId(String commit) {
    return commit == null ? "" : commit.length() > 12 ? commit.substring(0, 12) : commit;
  }

  // ================================================================== one repo

  /** One followed repo: its fetch slot, mirror, evaluations and targets. */
  static final class RepoWorker {
    final Daemon daemon;
    final DaemonConfig.Repo repo;
    private final LatestWins<Boolean> fetches;
    private final EvaluationCache evaluations = new EvaluationCache(16);
    private final Map<String, TargetWorker> targets = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Object scheduling = new Object();
    private RepoSource source;

    private volatile boolean loaded;
    private volatile String head;
    private volatile String evaluated;
    private volatile Evaluation lastGood;
    private volatile DaemonStatus.Problem fetchError;
    private volatile DaemonStatus.Problem commitError;
    private volatile Instant lastFetch;

    RepoWorker(Daemon daemon, DaemonConfig.Repo repo) {
      this.daemon = daemon;
      this.repo = repo;
      this.fetches = new LatestWins<>(daemon.git, force -> daemon.withRetries("fetch of repo " + repo.name(),
          this::fetchAndEvaluate, daemon.git, fetchesPending()));
    }

    private java.util.function.BooleanSupplier fetchesPending() {
      return () -> fetches.hasPending();
    }

    boolean loaded() {
      return loaded;
    }

    List<TargetWorker> targets() {
      return new TreeMap<>(targets).values().stream().toList();
    }

    CompletionStage<Void> refresh() {
      return fetches.submit(Boolean.TRUE);
    }

    /** Fetches, and evaluates and schedules a moved head; throws when the remote cannot be reached. */
    private Void fetchAndEvaluate() {
      if (!daemon.enter()) {
        throw new CancellationException("daemon closed");
      }
      MDC.put("repo", repo.name());
      try {
        String commit;
        try {
          commit = source().fetch();
        } catch (Exception e) {
          daemon.metrics.fetchError(repo.name());
          String summary = "cannot fetch branch " + repo.branch() + " of " + repo.displayUrl() + ": " + message(e);
          DaemonStatus.Problem previous = fetchError;
          fetchError = new DaemonStatus.Problem(Optional.empty(), summary, List.of(), daemon.clock.instant());
          if (previous != null && previous.summary().equals(summary)) {
            LOG.debug("fetch of repo {} failed again: {}", repo.name(), message(e)); // said once is enough
          } else {
            LOG.warn("fetch of repo {} failed (retrying with backoff): {}", repo.name(), message(e));
          }
          throw new CompletionException(e);
        }
        lastFetch = daemon.clock.instant();
        fetchError = null;
        head = commit;
        if (!commit.equals(evaluated)) {
          evaluate(commit);
        }
        loaded = true;
        return null;
      } finally {
        MDC.remove("repo");
        daemon.exit();
      }
    }

    private RepoSource source() throws Exception {
      synchronized (lock) {
        if (source == null) {
          source = daemon.options.sources().open(repo, daemon.config.stateDir());
        }
        return source;
      }
    }

    private void evaluate(String commit) {
      MDC.put("commit", commit);
      try {
        Evaluation e = evaluations.get(commit, () -> {
          try {
            return source().read(commit);
          } catch (Exception ex) {
            throw new CompletionException(ex);
          }
        });
        evaluated = commit;
        daemon.metrics.violations(repo.name(), e.violations().size());
        if (e.blocked()) {
          List<String> lines = e.problems().stream().filter(Diagnostic::isError).map(Diagnostic::toString).toList();
          long errors = e.diagnostics().stream().filter(Diagnostic::isError).count();
          long violations = e.violations().size();
          String summary = "commit " + shortId(commit) + " was not applied: "
              + (errors > 0 ? errors + (errors == 1 ? " error" : " errors") : "")
              + (errors > 0 && violations > 0 ? ", " : "")
              + (violations > 0 ? violations + " enforced policy " + (violations == 1 ? "violation" : "violations")
                  : "")
              + (lastGood == null ? "; nothing applied yet" : "; " + shortId(lastGood.revision()) + " stays applied");
          commitError = new DaemonStatus.Problem(Optional.of(commit), summary, lines, daemon.clock.instant());
          LOG.warn("{}:\n  {}", summary, String.join("\n  ", lines));
          return;
        }
        commitError = null;
        LOG.info("commit {} of repo {} is good; reconciling its targets", shortId(commit), repo.name());
        synchronized (scheduling) {
          lastGood = e;
          schedule(e);
        }
      } finally {
        MDC.remove("commit");
      }
    }

    /**
     * Hands {@code e}'s desired state to each of its targets. Called holding {@code scheduling}
     * with {@code e == lastGood}, so an older commit is never requested after a newer one.
     */
    private void schedule(Evaluation e) {
      var platform = e.platform().orElseThrow();
      var rendered = e.rendered().orElseThrow();
      Map<String, EnvironmentState> envs = rendered.state().environments();
      for (EnvironmentState state : envs.values()) {
        Environment decl = platform.environments().get(state.environment());
        Cluster cluster = platform.clusters().get(state.cluster());
        TargetRequest request = new TargetRequest(e.revision(), state, cluster, TargetSync.prunePolicy(decl),
            decl.drift() == null ? DriftMode.CORRECT : decl.drift(), IgnoreRules.of(rendered, state.environment()));
        if (daemon.closed.get()) {
          return;
        }
        targets.computeIfAbsent(state.environment(), env -> new TargetWorker(daemon, repo.name(), env))
            .request(request);
      }
      for (String gone : List.copyOf(targets.keySet())) {
        if (!envs.containsKey(gone)) {
          LOG.warn("environment {} is no longer in repo {}: it is not reconciled any more, and its objects are left"
              + " in place", gone, repo.name());
          targets.remove(gone).retire();
        }
      }
    }

    void resync() {
      synchronized (scheduling) {
        if (lastGood != null) {
          schedule(lastGood);
        }
      }
    }

    CompletionStage<RevertOutcome> revert(String commit, String reason, String actor) {
      return CompletableFuture.supplyAsync(() -> {
        if (!daemon.enter()) {
          throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "the daemon is stopping");
        }
        try {
          return source().revert(commit, reason, actor);
        } catch (DaemonFailure e) {
          throw e;
        } catch (Exception e) {
          throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "cannot revert " + commit + " on repo "
              + repo.name() + ": " + message(e), e);
        } finally {
          daemon.exit();
        }
      }, daemon.git).thenApply(outcome -> {
        refresh(); // the revert is reconciled like any commit
        return outcome;
      });
    }

    DaemonStatus.Repo status() {
      DaemonStatus.Problem error = fetchError != null ? fetchError : commitError;
      Evaluation good = lastGood;
      return new DaemonStatus.Repo(repo.name(), repo.displayUrl(), repo.branch(), Optional.ofNullable(head),
          Optional.ofNullable(good).map(Evaluation::revision), Optional.ofNullable(error),
          Optional.ofNullable(lastFetch));
    }

    void stopAccepting() {
      fetches.close();
      targets.values().forEach(TargetWorker::stopAccepting);
    }

    void close() {
      targets.values().forEach(TargetWorker::close);
      synchronized (lock) {
        if (source != null) {
          source.close();
        }
      }
    }
  }

  /** What one reconcile of a target is asked to apply. */
  record TargetRequest(String commit, EnvironmentState state, Cluster cluster, PruneGuard.Policy prune,
      DriftMode drift, IgnoreRules ignore) {}
}
