package dev.paved.reconcile;

import dev.paved.apply.Clusters;
import dev.paved.apply.LatestWins;
import dev.paved.pipeline.EvaluationCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon core: keeps every target of every followed config repo equal to the newest good
 * commit of its branch. No Vert.x here: it polls each repo on its own scheduler, and the HTTP edge
 * calls {@link #refresh} (webhooks, the refresh endpoint) and reads {@link #status} and
 * {@link #metrics}; work runs on the daemon's own threads and every method returns at once.
 *
 * <h2>Per repo</h2>
 *
 * A {@link RepoWorker}: a {@link #refresh} fetches the branch (on a git worker; refreshes coalesce
 * in a {@link LatestWins} slot). When the head moved, or was never evaluated, the commit is
 * evaluated ({@link EvaluationCache}, by commit id). A <b>blocked</b> commit (errors, or enforced
 * policy violations) changes nothing: the last good commit stays applied, and the repo's status
 * shows the failing commit with its problems as {@code file:line:col: severity: message} lines. A
 * good commit is handed to each of its environments (targets).
 *
 * <h2>Per target</h2>
 *
 * A {@link TargetWorker}: one reconcile at a time, newer requests coalesced (latest wins). Each
 * target has its own cluster client, watch cache ({@link dev.paved.apply.InformerLiveState}),
 * resource manager, inventory store and drift watcher (mode from the environment's {@code drift}).
 * A reconcile: update the drift watcher, {@link TargetSync#run}, then health from the watch cache.
 *
 * <h2>Failures outside Paved</h2>
 *
 * A git remote, apiserver or cluster that cannot be reached, and a target whose objects the
 * apiserver refused ({@code PARTIAL}), are retried with capped exponential backoff (Failsafe;
 * {@code defaults.retry}); a newer commit ends a target's backoff at once. Failures show in status
 * and metrics and never stop other repos or targets.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #create}; {@link #start}: the first fetch of every repo at once, then a poll of each repo
 * every {@code pollInterval}, a full reconcile every {@code resyncInterval}, health every
 * {@code healthInterval}; {@link #close}: stops accepting work, lets in-flight applies end within
 * {@code drainTimeout}, closes watches, clients and threads. The workers share one
 * {@link DaemonContext} (pools, retry policy, metrics, clock, lifecycle).
 */
public final class Daemon implements DaemonApi, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /** How the daemon is built; {@link #defaults()} is what {@code paved serve} uses. */
  /**
   * {@code connections}: how to reach the clusters, instead of the daemon config's {@code clusters}
   * (null: as the config says). {@code events}: where the daemon's events go (notifications).
   */
  public record Options(RepoSource.Factory sources, Clusters.Connections connections,
      PrometheusMeterRegistry registry, Duration healthInterval, Clock clock, DaemonEvent.Listener events) {

    public static Options defaults() {
      return new Options(MirrorSource::open, null, null, Duration.ofSeconds(5),
          Clock.systemUTC(), DaemonEvent.Listener.NONE);
    }

    public Options withSources(RepoSource.Factory f) {
      return new Options(f, connections, registry, healthInterval, clock, events);
    }

    public Options withConnections(Clusters.Connections o) {
      return new Options(sources, o, registry, healthInterval, clock, events);
    }

    /** A registry to share (e.g. with Vert.x's own metrics); by default the daemon makes one. */
    public Options withRegistry(PrometheusMeterRegistry r) {
      return new Options(sources, connections, r, healthInterval, clock, events);
    }

    /** Where the daemon's events go (notifications); the listener must return at once. */
    public Options withEvents(DaemonEvent.Listener l) {
      return new Options(sources, connections, registry, healthInterval, clock, l);
    }

    public Options withHealthInterval(Duration d) {
      return new Options(sources, connections, registry, d, clock, events);
    }
  }

  private final DaemonConfig config;
  private final Options options;
  private final PrometheusMeterRegistry registry;
  private final DaemonContext context;
  private final Map<String, RepoWorker> repos = new LinkedHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  /** HA on: the Lease manager (null: this daemon works on every target). */
  private final TargetLeases leases;

  private Daemon(DaemonConfig config, Options options) {
    this.config = config;
    this.options = options;
    this.registry = options.registry() != null ? options.registry()
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.context = new DaemonContext(config, options.sources(),
        options.connections() != null ? options.connections() : config.clusters(),
        new DaemonMetrics(registry, version()), options.clock(), options.events(),
        ApplyHistory.open(config.stateDir(), ApplyHistory.DEFAULT_PER_TARGET));
    for (DaemonConfig.Repo r : config.repos()) {
      repos.put(r.name(), new RepoWorker(context, r));
    }
    this.leases = config.ha().enabled() ? leases(config.ha(), context.connections) : null;
  }

  /**
   * HA on: the Lease manager, on the cluster {@code ha.cluster} names (else the daemon's default
   * connection), and the gate every reconcile and inventory write goes through.
   */
  private TargetLeases leases(DaemonConfig.Ha ha, Clusters.Connections connections) {
    String identity = ReplicaMembers.identity(ha.identity());
    Clusters.Connections where = ha.cluster().isPresent() ? connections
        : new Clusters.Connections(Map.of(), connections.fallback());
    var cluster = new dev.paved.config.Declarations.Cluster(ha.cluster().orElse("leases"), "", "", Map.of(), null);
    TargetLeases l = new TargetLeases(Clusters.connect(cluster, where), ha, identity, this::targetKeys,
        new TargetLeases.Listener() {
          @Override
          public void acquired(String repo, String environment) {
            RepoWorker w = repos.get(repo);
            if (w != null && !context.closed()) {
              w.resync();
            }
          }

          @Override
          public void released(String repo, String environment) {
            RepoWorker w = repos.get(repo);
            if (w != null) {
              w.standDown(environment);
            }
          }

          @Override
          public Map<String, String> report(String repo, String environment) {
            RepoWorker w = repos.get(repo);
            return w == null ? Map.of() : w.targets().stream().filter(t -> t.environment().equals(environment))
                .findFirst().map(t -> t.report(identity, context.clock.instant()).annotations()).orElse(Map.of());
          }
        }, context.metrics);
    context.replica = identity;
    context.gate = l.gate();
    return l;
  }

  /** Every target of every repo ({@code repo/environment}), for the Lease manager. */
  private Set<String> targetKeys() {
    Set<String> out = new java.util.TreeSet<>();
    repos.forEach((name, w) -> w.targets().forEach(t -> out.add(TargetGate.key(name, t.environment()))));
    return out;
  }

  /** A daemon for {@code config}, not started yet. */
  public static Daemon create(DaemonConfig config) {
    return create(config, Options.defaults());
  }

  public static Daemon create(DaemonConfig config, Options options) {
    return new Daemon(config, options);
  }

  /**
   * Starts: fetches every repo at once, then polls each every {@code pollInterval}, reconciles
   * every target again each {@code resyncInterval} and refreshes health each {@code
   * healthInterval}, all on the daemon's own scheduler. Returns at once.
   */
  public Daemon start() {
    if (context.closed() || !started.compareAndSet(false, true)) {
      return this;
    }
    synchronized (timers) {
      every(config.resyncInterval(), this::resync);
      every(options.healthInterval(), this::refreshHealth);
      for (RepoWorker w : repos.values()) {
        every(w.repo.pollInterval(), () -> poll(w));
        LOG.info("polling repo {} every {}", w.repo.name(), w.repo.pollInterval());
      }
    }
    if (leases != null) {
      leases.start();
    }
    repos.values().forEach(this::poll);
    return this;
  }

  private void every(Duration interval, Runnable task) {
    long millis = Math.max(1, interval.toMillis());
    timers.add(context.scheduler.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS));
  }

  private void poll(RepoWorker w) {
    if (context.closed()) {
      return;
    }
    LOG.debug("poll of repo {}", w.repo.name());
    w.refresh(); // a failure is in the repo's status and metrics, and retried with backoff
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
    return Collections.unmodifiableSet(new LinkedHashSet<>(repos.keySet()));
  }

  @Override
  public List<String> reposAt(Collection<String> urls) {
    Set<String> wanted = urls.stream().map(RepoUrls::normalize).collect(Collectors.toSet());
    return repos.values().stream().filter(w -> wanted.contains(RepoUrls.normalize(w.repo.url())))
        .map(w -> w.repo.name()).toList();
  }

  @Override
  public CompletionStage<Void> refresh(String repo) {
    RepoWorker w = repos.get(repo);
    return w == null ? CompletableFuture.failedFuture(unknown(repo)) : w.refresh();
  }

  /**
   * A full reconcile of every target at its repo's last good commit (what the periodic timer
   * runs). Returns at once.
   */
  public void resync() {
    if (context.closed()) {
      return;
    }
    LOG.debug("periodic full reconcile");
    repos.values().forEach(RepoWorker::resync);
  }

  @Override
  public CompletionStage<RevertOutcome> revert(String repo, RevertRequest request) {
    RepoWorker w = repos.get(repo);
    return w == null ? CompletableFuture.failedFuture(unknown(repo)) : w.revert(request);
  }

  @Override
  public CompletionStage<AcceptOutcome> acceptHead(String repo, String commit, String actor) {
    RepoWorker w = repos.get(repo);
    return w == null ? CompletableFuture.failedFuture(unknown(repo)) : w.acceptHead(commit, actor);
  }

  @Override
  public Optional<String> webhookSecret(String repo) {
    RepoWorker w = repos.get(repo);
    if (w == null) {
      throw unknown(repo);
    }
    return w.webhookSecret();
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
    TargetLeases.View ha = leases == null ? null : leases.view();
    for (RepoWorker w : repos.values()) {
      rs.add(w.status());
      Map<String, DaemonStatus.LastChange> last = w.history.lastChanges();
      for (TargetWorker t : w.targets()) {
        TargetStatus.View v = ha == null ? t.view() : HaViews.target(w.repo.name(), t, ha, context.gate);
        ts.add(v.target());
        v.services().forEach(s -> ss.add(s.withLastChange(Optional.ofNullable(
            last.get(s.service() + "\u0000" + s.environment())))));
      }
    }
    return new DaemonStatus(ready(), rs, ts, ss, options.events().sinks(),
        Optional.ofNullable(ha).map(HaViews::section));
  }

  @Override
  public Optional<ServiceView> service(String service) {
    TargetLeases.View ha = leases == null ? null : leases.view();
    for (RepoWorker w : repos.values()) {
      Optional<ServiceView> v = ServiceViews.of(w, service, context.history, (t, name) -> ha == null
          ? t.serviceView(name) : HaViews.service(w.repo.name(), t, name, ha, context.gate));
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }

  @Override
  public Map<String, dev.paved.config.Platform> platforms() {
    Map<String, dev.paved.config.Platform> out = new LinkedHashMap<>();
    repos.forEach((name, w) -> w.lastGood().flatMap(e -> e.platform()).ifPresent(p -> out.put(name, p)));
    return out;
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops accepting work, lets in-flight fetches and applies finish (at most {@code
   * drainTimeout}), then closes watches, cluster clients, git mirrors and threads.
   */
  @Override
  public void close() {
    if (!context.close()) {
      return;
    }
    LOG.info("stopping: draining in-flight work (at most {})", config.drainTimeout());
    if (leases != null) {
      leases.stopTaking();
    }
    synchronized (timers) {
      timers.forEach(t -> t.cancel(false));
    }
    repos.values().forEach(RepoWorker::stopAccepting);
    if (!context.awaitIdle(config.drainTimeout())) {
      LOG.warn("in-flight work did not finish within {}; closing anyway", config.drainTimeout());
    }
    if (leases != null) {
      leases.close(); // nothing works on a target any more: the other replicas take them over at once
    }
    repos.values().forEach(RepoWorker::close);
    context.shutdownPools();
  }

  // ------------------------------------------------------------------ helpers

  private void refreshHealth() {
    if (context.closed()) {
      return;
    }
    for (RepoWorker w : repos.values()) {
      for (TargetWorker t : w.targets()) {
        t.scheduleHealth(context.drift);
      }
    }
  }

  private static DaemonFailure unknown(String repo) {
    return new DaemonFailure(DaemonFailure.Kind.UNKNOWN_REPO, "no followed repo is called \"" + repo + "\"");
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
