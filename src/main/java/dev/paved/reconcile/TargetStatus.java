package dev.paved.reconcile;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.DriftReport;
import dev.paved.apply.HealthStatus;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What is known of one target, as its reconciles, drift corrections and health checks report it,
 * and the status built from it ({@link #view}). Thread-safe: every method holds this object.
 */
final class TargetStatus {

  private static final int RECENT_CORRECTIONS = 10;

  /** The target's status, and its services'. */
  record View(DaemonStatus.Target target, List<DaemonStatus.ServiceInEnvironment> services) {}

  private final String repo;
  private final String environment;
  private TargetRequest applied;
  private SyncState sync = SyncState.PENDING;
  private ChangeSet changes = ChangeSet.empty();
  private String lastError;
  private Instant lastSync;
  private HealthStatus health = HealthStatus.unknown("Not reconciled yet.");
  private Map<ObjectKey, HealthStatus> objectHealth = Map.of();
  private final Deque<DaemonStatus.Drift> corrections = new ArrayDeque<>();

  TargetStatus(String repo, String environment) {
    this.repo = repo;
    this.environment = environment;
  }

  /** The request last applied (fully or not), or null. */
  synchronized TargetRequest applied() {
    return applied;
  }

  synchronized void syncing() {
    sync = SyncState.SYNCING;
  }

  /** A sync ended with {@code state} (SYNCED, PARTIAL or HELD) and {@code error} (null when synced). */
  synchronized void synced(TargetRequest r, ChangeSet c, SyncState state, String error, Instant at) {
    applied = r;
    changes = c;
    sync = state;
    lastError = error;
    lastSync = at;
  }

  /** An attempt failed with {@code message}; true when the previous one failed the same way. */
  synchronized boolean failed(String message) {
    boolean repeated = sync == SyncState.SYNCING && message.equals(lastError);
    sync = SyncState.FAILED;
    lastError = message;
    return repeated;
  }

  synchronized void corrected(DriftReport report) {
    corrections.addFirst(new DaemonStatus.Drift(report.key().toString(), report.fields(), report.managers(),
        report.at(), true));
    while (corrections.size() > RECENT_CORRECTIONS) {
      corrections.removeLast();
    }
  }

  /** Health assessed for {@code r}; ignored when another request was applied meanwhile. */
  synchronized void health(TargetRequest r, Map<ObjectKey, HealthStatus> objects, HealthStatus aggregate) {
    if (applied == r) {
      objectHealth = objects;
      health = aggregate;
    }
  }

  /**
   * The status: the cluster of the applied request (else of {@code requested}), and drift as the
   * watcher sees it now ({@code drifted}) plus the recent corrections.
   */
  synchronized View view(TargetRequest requested, Collection<DriftReport> drifted) {
    TargetRequest shown = applied != null ? applied : requested;
    String cluster = shown == null ? "" : shown.cluster().name();
    List<DaemonStatus.Drift> drift = new ArrayList<>();
    drifted.forEach(d -> drift.add(new DaemonStatus.Drift(d.key().toString(), d.fields(), d.managers(), d.at(),
        false)));
    drift.addAll(corrections);
    Map<String, Long> counts = new TreeMap<>();
    changes.counts().forEach((a, n) -> counts.put(a.label(), n));
    DaemonStatus.Target target = new DaemonStatus.Target(repo, environment, cluster,
        Optional.ofNullable(applied).map(TargetRequest::commit), sync, health.state().label(), health.message(),
        drift, counts, Optional.ofNullable(lastError), Optional.ofNullable(lastSync));
    return new View(target, applied == null ? List.of() : services());
  }

  private List<DaemonStatus.ServiceInEnvironment> services() {
    Map<String, List<ObjectKey>> byService = new TreeMap<>();
    for (DesiredObject o : applied.state().objects()) {
      if (o.service() != null) {
        byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o.key());
      }
    }
    Map<ObjectKey, Action> actions = new LinkedHashMap<>();
    changes.entries().forEach(e -> actions.put(e.key(), e.action()));
    List<DaemonStatus.ServiceInEnvironment> services = new ArrayList<>();
    byService.forEach((service, keys) -> {
      SyncState s = sync;
      if (s == SyncState.PARTIAL || s == SyncState.HELD || s == SyncState.SYNCED) {
        s = keys.stream().anyMatch(k -> actions.get(k) == Action.FAILED) ? SyncState.FAILED
            : keys.stream().anyMatch(k -> actions.get(k) == Action.HELD) ? SyncState.HELD : SyncState.SYNCED;
      }
      List<HealthStatus> hs = keys.stream().map(objectHealth::get).filter(h -> h != null).toList();
      String h = hs.isEmpty() ? HealthStatus.State.UNKNOWN.label() : HealthStatus.aggregate(hs).state().label();
      services.add(new DaemonStatus.ServiceInEnvironment(repo, service, environment, Optional.of(applied.commit()),
          s, h));
    });
    return services;
  }
}
