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
  /** The objects of {@link #applied} by service (in apply order), and the service of each object: made once per request. */
  private Map<String, List<DesiredObject>> appliedByService = Map.of();
  private Map<ObjectKey, String> appliedServiceOf = Map.of();
  /** HA: the request whose services a target held elsewhere lists ({@link #reported}), indexed by service. */
  private TargetRequest reportedRequest;
  private Map<String, List<DesiredObject>> reportedByService = Map.of();
  private SyncState sync = SyncState.PENDING;
  private ChangeSet changes = ChangeSet.empty();
  private String lastError;
  private Instant lastSync;
  /** Why the target stays where it is ({@link HeadGate}), or null. */
  private DaemonStatus.Hold hold;
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
    if (r != applied) {
      index(r);
    }
    applied = r;
    changes = c;
    sync = state;
    lastError = error;
    lastSync = at;
    hold = null;
  }

  /**
   * A move to a commit was held ({@link HeadGate}): nothing was applied, what was applied stays;
   * true when the target was not already held the same way (news for the log).
   */
  synchronized boolean held(HeadGate.Hold h, Instant at) {
    boolean same = hold != null && hold.reason().equals(h.reason().name())
        && hold.commit().equals(h.commit()) && hold.message().equals(h.message());
    hold = new DaemonStatus.Hold(h.reason().name(), h.commit(), h.applied(), h.message(), same ? hold.since() : at);
    sync = SyncState.HELD;
    lastError = h.message();
    return !same;
  }

  /** An attempt failed with {@code message}; true when the previous one failed the same way. */
  synchronized boolean failed(String message) {
    boolean repeated = sync == SyncState.SYNCING && message.equals(lastError);
    sync = SyncState.FAILED;
    lastError = message;
    hold = null;
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
        drift, counts, Optional.ofNullable(lastError), Optional.ofNullable(lastSync), Optional.ofNullable(hold));
    return new View(target, applied == null ? List.of() : services(drift));
  }

  /** What this replica, {@code replica}, knows of the target at {@code at}, for the other replicas (HA). */
  synchronized HolderReport report(String replica, Instant at) {
    return new HolderReport(replica, at, sync, Optional.ofNullable(applied).map(TargetRequest::commit),
        health.state().label(), health.message(), Optional.ofNullable(lastSync), Optional.ofNullable(lastError));
  }

  /**
   * The status of this target while another replica, {@code holder} (empty: none now), holds it
   * (HA): {@code report}, what the holder wrote on the target's Lease, never this replica's own
   * memory (stale since it stopped working on the target); without a report, {@code UNKNOWN}. The
   * services are those of the reported commit's state when this replica knows it ({@code
   * requested} or the one it applied itself: a commit renders the same everywhere, so their
   * version and team are real), else of {@code requested} without a version; their sync is the
   * target's ({@code UNKNOWN} for {@code PARTIAL}: which objects failed only the holder knows),
   * their health {@code healthy} when the whole target is, else {@code unknown}; no drift.
   */
  synchronized View reported(TargetRequest requested, String holder, Optional<HolderReport> report) {
    TargetRequest shown = applied != null ? applied : requested;
    String cluster = shown == null ? "" : shown.cluster().name();
    String unknown = HealthStatus.State.UNKNOWN.label();
    DaemonStatus.Target target = report.map(r -> new DaemonStatus.Target(repo, environment, cluster, r.commit(),
        r.sync(), r.health(), r.healthMessage(), List.of(), Map.<String, Long>of(), r.lastError(), r.lastSync(),
        Optional.<DaemonStatus.Hold>empty())).orElseGet(() -> new DaemonStatus.Target(repo, environment, cluster,
        Optional.empty(), SyncState.UNKNOWN, unknown, holder.isEmpty() ? "No replica holds this target now."
        : "Replica " + holder + " holds this target and has not reported its state.", List.of(), Map.of(),
        Optional.empty(), Optional.empty(), Optional.empty()));
    target = target.with(new DaemonStatus.Holding(holder, false, report.map(HolderReport::replica),
        report.map(HolderReport::at)));
    Optional<String> commit = target.appliedCommit();
    TargetRequest known = commit.isEmpty() ? null : requested != null && commit.get().equals(requested.commit())
        ? requested : applied != null && commit.get().equals(applied.commit()) ? applied : null;
    TargetRequest listed = known != null ? known : requested != null ? requested : applied;
    if (listed == null || listed.removed()) {
      return new View(target, List.of());
    }
    SyncState sync = target.sync() == SyncState.PARTIAL ? SyncState.UNKNOWN : target.sync();
    String health = target.health().equals(HealthStatus.State.HEALTHY.label()) ? target.health() : unknown;
    if (listed != applied && listed != reportedRequest) { // indexed once per request, not per status
      reportedRequest = listed;
      reportedByService = byService(listed);
    }
    Map<String, List<DesiredObject>> byService = listed == applied ? appliedByService : reportedByService;
    List<DaemonStatus.ServiceInEnvironment> services = new ArrayList<>();
    byService.forEach((service, objects) -> services.add(new DaemonStatus.ServiceInEnvironment(repo, service,
        environment, commit, sync, health, label(objects, dev.paved.desired.Labels.TEAM).orElse(""),
        known == null ? Optional.empty() : label(objects, dev.paved.desired.Labels.VERSION), 0, Optional.empty())));
    return new View(target, services);
  }

  /** {@code service} here, for its page ({@code view}: the target's view now); empty when it has no object here. */
  synchronized Optional<ServiceView.Environment> serviceView(String service, View view) {
    if (applied == null) {
      return Optional.empty();
    }
    List<ObjectKey> keys = appliedByService.getOrDefault(service, List.of()).stream().map(DesiredObject::key).toList();
    Optional<DaemonStatus.ServiceInEnvironment> s = view.services().stream().filter(x -> x.service().equals(service))
        .findFirst();
    if (keys.isEmpty() || s.isEmpty()) {
      return Optional.empty();
    }
    List<ServiceView.ObjectHealth> objects = keys.stream().map(k -> {
      HealthStatus h = objectHealth.get(k);
      return new ServiceView.ObjectHealth(k.toString(), h == null ? HealthStatus.State.UNKNOWN.label()
          : h.state().label(), h == null ? "" : h.message());
    }).toList();
    java.util.Set<String> names = names(keys);
    List<DaemonStatus.Drift> drift = view.target().drift().stream().filter(d -> names.contains(d.object())).toList();
    return Optional.of(new ServiceView.Environment(environment, applied.cluster().name(), Optional.of(applied.commit()),
        s.get().sync(), s.get().health(), s.get().version().orElse(""), objects, drift, List.of()));
  }

  /** The object names of {@code keys}, as drift names them. */
  private static java.util.Set<String> names(List<ObjectKey> keys) {
    return keys.stream().map(ObjectKey::toString).collect(java.util.stream.Collectors.toSet());
  }

  /** The first value of {@code label} among {@code objects} (workloads carry the version). */
  private static Optional<String> label(List<DesiredObject> objects, String label) {
    for (DesiredObject o : objects) {
      String v = o.manifest().path("metadata").path("labels").path(label).asText(null);
      if (v != null) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** The service of an object of the applied request, or null (none applied, or not a service's). */
  synchronized String serviceOf(ObjectKey key) {
    return appliedServiceOf.get(key);
  }

  private void index(TargetRequest r) {
    Map<ObjectKey, String> serviceOf = new java.util.HashMap<>();
    appliedByService = r == null ? new TreeMap<>() : byService(r);
    appliedByService.values().forEach(objects -> objects.forEach(o -> serviceOf.put(o.key(), o.service())));
    appliedServiceOf = serviceOf;
  }

  /** {@code r}'s objects by service, in service order. */
  private static Map<String, List<DesiredObject>> byService(TargetRequest r) {
    Map<String, List<DesiredObject>> byService = new TreeMap<>();
    for (DesiredObject o : r.state().objects()) {
      if (o.service() != null) {
        byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o);
      }
    }
    return byService;
  }

  private List<DaemonStatus.ServiceInEnvironment> services(List<DaemonStatus.Drift> drift) {
    Map<ObjectKey, Action> actions = new java.util.HashMap<>();
    changes.entries().forEach(e -> actions.put(e.key(), e.action()));
    Map<String, Integer> driftedObjects = new java.util.HashMap<>();
    drift.stream().filter(d -> !d.corrected()).forEach(d -> driftedObjects.merge(d.object(), 1, Integer::sum));
    List<DaemonStatus.ServiceInEnvironment> services = new ArrayList<>();
    appliedByService.forEach((service, objects) -> {
      List<ObjectKey> keys = objects.stream().map(DesiredObject::key).toList();
      SyncState s = sync;
      if (hold != null) {
        s = SyncState.HELD; // the whole target stays at its applied commit
      } else if (s == SyncState.PARTIAL || s == SyncState.HELD || s == SyncState.SYNCED) {
        s = keys.stream().anyMatch(k -> actions.get(k) == Action.FAILED) ? SyncState.FAILED
            : keys.stream().anyMatch(k -> actions.get(k) == Action.HELD) ? SyncState.HELD : SyncState.SYNCED;
      }
      List<HealthStatus> hs = keys.stream().map(objectHealth::get).filter(h -> h != null).toList();
      String h = hs.isEmpty() ? HealthStatus.State.UNKNOWN.label() : HealthStatus.aggregate(hs).state().label();
      int drifted = driftedObjects.isEmpty() ? 0
          : keys.stream().mapToInt(k -> driftedObjects.getOrDefault(k.toString(), 0)).sum();
      services.add(new DaemonStatus.ServiceInEnvironment(repo, service, environment, Optional.of(applied.commit()),
          s, h, label(objects, dev.paved.desired.Labels.TEAM).orElse(""), label(objects, dev.paved.desired.Labels.VERSION),
          drifted, Optional.empty()));
    });
    return services;
  }
}
