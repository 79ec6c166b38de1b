package dev.paved.reconcile;

import dev.paved.apply.Clusters;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.InventoryStore;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.config.Declarations.Environment;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.pipeline.Evaluation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets of one followed repo: each good commit's desired state handed to the target of each
 * of its environments, and an environment that left the repo (seen while running, or found in a
 * cluster's inventories after a restart) reconciled as a removal until it is pruned.
 */
final class RepoTargets {
  private static final Logger LOG = LoggerFactory.getLogger(RepoTargets.class);

  private final DaemonContext context;
  private final DaemonConfig.Repo repo;
  private final TargetEvents.AutoRevert autoRevert;
  private final HeadGate gate;
  private final Map<String, TargetWorker> targets = new ConcurrentHashMap<>();
  private final Object scheduling = new Object();
  /** Clusters searched (or being searched) for this repo's inventories since the start. */
  private final Set<String> discovering = ConcurrentHashMap.newKeySet();
  /** The newest good evaluation, set holding {@code scheduling}. */
  private volatile Evaluation lastGood;

  /** {@code gate}: what every move of the repo's targets passes first ({@link HeadGate}). */
  RepoTargets(DaemonContext context, DaemonConfig.Repo repo, TargetEvents.AutoRevert autoRevert, HeadGate gate) {
    this.context = context;
    this.repo = repo;
    this.autoRevert = autoRevert;
    this.gate = gate;
  }

  List<TargetWorker> list() {
    return new TreeMap<>(targets).values().stream().toList();
  }

  /** The newest good evaluation, if any. */
  Optional<Evaluation> lastGood() {
    return Optional.ofNullable(lastGood);
  }

  /** {@code e} is the newest good commit: its targets reconcile it. */
  void reconcile(Evaluation e) {
    synchronized (scheduling) {
      lastGood = e;
      schedule(e);
    }
  }

  void resync() {
    synchronized (scheduling) {
      if (lastGood != null) {
        schedule(lastGood);
      }
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
          decl.drift() == null ? DriftMode.CORRECT : decl.drift(), IgnoreRules.of(rendered, state.environment()),
          platform, revertAfter(decl));
      if (context.closed()) {
        return;
      }
      targets.computeIfAbsent(state.environment(), this::newTarget).request(request);
    }
    for (Map.Entry<String, TargetWorker> t : new TreeMap<>(targets).entrySet()) {
      if (!envs.containsKey(t.getKey())) {
        if (!t.getValue().removing()) {
          LOG.warn("environment {} is no longer in repo {}: {}", t.getKey(), repo.name(), repo.pruneRemovedEnvironments()
              ? "pruning every object its inventory records" : "its deletions are held (pruneRemovedEnvironments: false)");
        }
        t.getValue().request(t.getValue().removal(e.revision(), repo.pruneRemovedEnvironments()));
      }
    }
    discoverRemoved(e);
  }

  private TargetWorker newTarget(String environment) {
    return new TargetWorker(context, repo, environment, this::pruned, autoRevert, gate);
  }

  /** A removed environment is pruned: its target goes, unless a newer commit brought it back meanwhile. */
  private void pruned(TargetWorker t) {
    synchronized (scheduling) {
      if (t.removing() && targets.remove(t.environment(), t)) {
        t.retire();
      }
    }
  }

  /**
   * Finds, after a restart, environments this repo applied that its newest commit no longer has:
   * the inventories in the commit's clusters labelled with the repo's source (once per cluster). Each becomes a target whose
   * removal is reconciled like one seen while running. Off the git thread; a cluster that cannot
   * be reached is asked again at the next commit or resync.
   */
  private void discoverRemoved(Evaluation e) {
    var platform = e.platform().orElseThrow();
    Set<String> declared = e.rendered().orElseThrow().state().environments().keySet();
    for (Cluster cluster : new TreeMap<>(platform.clusters()).values()) {
      if (!discovering.add(cluster.name())) {
        continue; // once per cluster: while running, the targets themselves see an environment go
      }
      try {
        context.drift.execute(() -> {
          List<String> found;
          try (var client = Clusters.connect(cluster, context.connections)) {
            found = new InventoryStore(client, Labels.MANAGER).environments(Map.of(TargetWorker.SOURCE_LABEL,
                RepoUrls.source(repo)));
          } catch (RuntimeException ex) {
            discovering.remove(cluster.name());
            LOG.debug("cannot list the inventories of cluster {} for repo {}: {}", cluster.name(), repo.name(),
                DaemonContext.message(ex));
            return;
          }
          synchronized (scheduling) {
            if (lastGood != e || context.closed()) {
              return; // a newer commit runs its own discovery
            }
            for (String env : found) {
              if (!declared.contains(env) && !targets.containsKey(env)) {
                LOG.warn("environment {} of repo {} is in cluster {} but not in commit {}: {}", env, repo.name(),
                    cluster.name(), DaemonContext.shortId(e.revision()), repo.pruneRemovedEnvironments()
                        ? "pruning every object its inventory records"
                        : "its deletions are held (pruneRemovedEnvironments: false)");
                targets.computeIfAbsent(env, this::newTarget).request(TargetRequest.removal(e.revision(), env,
                    cluster, Set.of(), repo.pruneRemovedEnvironments()));
              }
            }
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException ex) {
        return; // closing
      }
    }
  }

  /** The environment's {@code onDegraded} deadline, when it opts in to automatic rollback. */
  private static Optional<java.time.Duration> revertAfter(Environment decl) {
    var on = decl.document().tree().path("onDegraded");
    if (!on.path("revert").asBoolean(false)) {
      return Optional.empty();
    }
    return Optional.of(on.hasNonNull("after") ? DaemonConfig.parseDuration(on.path("after").asText())
        : java.time.Duration.ofMinutes(10));
  }

  void stopAccepting() {
    targets.values().forEach(TargetWorker::stopAccepting);
  }

  void close() {
    targets.values().forEach(TargetWorker::close);
  }
}
