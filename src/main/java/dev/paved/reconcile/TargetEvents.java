package dev.paved.reconcile;

import dev.paved.apply.DriftReport;
import dev.paved.apply.HealthStatus;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one target tells the rest of the world: its events ({@link DaemonEvent}, once per commit
 * and outcome, and per health change of a service), its apply history ({@link ApplyHistory}),
 * and the automatic rollback of a rollout still degraded past the environment's
 * {@code onDegraded} deadline. Thread-safe.
 */
final class TargetEvents {

  /** Reverts a commit whose rollout stayed degraded (the repo's automatic rollback). */
  @FunctionalInterface
  interface AutoRevert {
    void revert(String environment, String commit, String health);
  }

  private final DaemonContext context;
  private final String repo;
  private final String environment;
  private final AutoRevert autoRevert;

  // Guarded by `this`.
  private String lastCommit;
  private SyncState lastState;
  private Instant appliedSince;
  private Map<String, HealthStatus.State> serviceHealth = Map.of();
  private final Set<String> reverted = new HashSet<>();

  TargetEvents(DaemonContext context, String repo, String environment, AutoRevert autoRevert) {
    this.context = context;
    this.repo = repo;
    this.environment = environment;
    this.autoRevert = autoRevert;
  }

  /** A sync of {@code commit} ended in {@code state}; a resync that changes nothing is not news. */
  void synced(String commit, SyncState state, String error, Instant now) {
    synchronized (this) {
      if (!commit.equals(lastCommit)) {
        appliedSince = now;
      }
      boolean news = !(commit.equals(lastCommit) && state == lastState);
      lastCommit = commit;
      lastState = state;
      if (!news) {
        return;
      }
    }
    context.history.record(new ApplyHistory.Applied(repo, environment, commit, state.name(), now));
    switch (state) {
      case SYNCED -> emit(DaemonEvent.Type.COMMIT_APPLIED, DaemonEvent.Severity.INFO, null, null, commit, "synced",
          List.of());
      case PARTIAL -> emit(DaemonEvent.Type.SYNC_PARTIAL, DaemonEvent.Severity.ERROR, null, null, commit, error,
          List.of());
      case HELD -> emit(DaemonEvent.Type.DELETIONS_HELD, DaemonEvent.Severity.WARNING, null, null, commit, error,
          List.of());
      default -> { }
    }
  }

  /** A move to a commit was held ({@link HeadGate}); the caller tells it once per hold. */
  void held(HeadGate.Hold hold, String remedy) {
    emit(DaemonEvent.Type.COMMIT_HELD, DaemonEvent.Severity.ERROR, null, null, hold.commit(), hold.message(),
        List.of(remedy));
  }

  /** An attempt at {@code commit} (null if unknown) failed; said once per message. */
  void failed(String commit, String message) {
    synchronized (this) {
      lastState = SyncState.FAILED;
    }
    emit(DaemonEvent.Type.SYNC_FAILED, DaemonEvent.Severity.ERROR, null, null, commit, message, List.of());
    if (commit != null) {
      context.history.record(new ApplyHistory.Applied(repo, environment, commit, SyncState.FAILED.name(),
          context.clock.instant()));
    }
  }

  void drifted(DriftReport report, String service) {
    emit(DaemonEvent.Type.DRIFT_DETECTED, DaemonEvent.Severity.WARNING, service, null, lastCommit(),
        report.key() + ": " + String.join(", ", report.fields()) + " changed by "
            + (report.managers().isEmpty() ? "unknown" : String.join(", ", report.managers())), report.fields());
  }

  void corrected(DriftReport report, String service) {
    emit(DaemonEvent.Type.DRIFT_CORRECTED, DaemonEvent.Severity.INFO, service, null, lastCommit(),
        report.key() + ": " + String.join(", ", report.fields()) + " put back from git", report.fields());
  }

  /**
   * Health assessed for {@code r}: tells which services became degraded or healthy again, and
   * reverts the commit when its rollout is still degraded past the {@code onDegraded} deadline
   * (once per commit).
   */
  void health(TargetRequest r, Map<ObjectKey, HealthStatus> objects, HealthStatus aggregate) {
    ByService services = byService(r, objects);
    Map<String, HealthStatus> aggregates = services.aggregates();
    Map<String, HealthStatus.State> states = services.states();
    Map<String, String> teams = services.teams();
    Map<String, HealthStatus.State> before;
    boolean revert;
    synchronized (this) {
      before = serviceHealth;
      serviceHealth = states;
      revert = r.revertAfter().isPresent() && aggregate.state() == HealthStatus.State.DEGRADED
          && r.commit().equals(lastCommit) && appliedSince != null
          && !context.clock.instant().isBefore(appliedSince.plus(r.revertAfter().get()))
          && reverted.add(r.commit());
    }
    states.forEach((s, state) -> {
      HealthStatus.State was = before.get(s);
      if (state == HealthStatus.State.DEGRADED && was != HealthStatus.State.DEGRADED) {
        emit(DaemonEvent.Type.HEALTH_DEGRADED, DaemonEvent.Severity.ERROR, s, teams.get(s), r.commit(),
            aggregates.get(s).message(), List.of());
      } else if (state == HealthStatus.State.HEALTHY && was == HealthStatus.State.DEGRADED) {
        emit(DaemonEvent.Type.HEALTH_RECOVERED, DaemonEvent.Severity.INFO, s, teams.get(s), r.commit(),
            aggregates.get(s).message(), List.of());
      }
    });
    if (revert) {
      autoRevert.revert(environment, r.commit(), aggregate.message());
    }
  }

  /** Each service's health and team, from its objects' health. */
  private record ByService(TargetRequest request, Map<ObjectKey, HealthStatus> objects,
      Map<String, HealthStatus> aggregates, Map<String, HealthStatus.State> states, Map<String, String> teams) {}

  /** The last {@link ByService}: health refreshes of an unchanged target (every few seconds) reuse it. */
  private volatile ByService lastByService;

  private ByService byService(TargetRequest r, Map<ObjectKey, HealthStatus> objects) {
    ByService last = lastByService;
    if (last != null && last.request() == r && last.objects().equals(objects)) {
      return last;
    }
    Map<String, List<HealthStatus>> byService = new TreeMap<>();
    Map<String, String> teams = new TreeMap<>();
    for (DesiredObject o : r.state().objects()) {
      HealthStatus h = objects.get(o.key());
      if (o.service() != null && h != null) {
        byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(h);
        teams.putIfAbsent(o.service(), o.manifest().path("metadata").path("labels").path(Labels.TEAM).asText(null));
      }
    }
    Map<String, HealthStatus> aggregates = new TreeMap<>();
    Map<String, HealthStatus.State> states = new TreeMap<>();
    byService.forEach((s, hs) -> {
      HealthStatus a = HealthStatus.aggregate(hs);
      aggregates.put(s, a);
      states.put(s, a.state());
    });
    ByService computed = new ByService(r, Map.copyOf(objects), aggregates, states, teams);
    lastByService = computed;
    return computed;
  }

  private synchronized String lastCommit() {
    return lastCommit;
  }

  private void emit(DaemonEvent.Type type, DaemonEvent.Severity severity, String service, String team, String commit,
      String message, List<String> details) {
    context.emit(type, severity, repo, environment, service, team, commit, message, details);
  }
}
