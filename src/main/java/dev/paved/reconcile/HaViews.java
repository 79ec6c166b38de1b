package dev.paved.reconcile;

import java.util.Optional;

/**
 * With HA on, what this replica may honestly show of each target and service: a target it holds,
 * its own knowledge (current); one another replica holds, that holder's report from the target's
 * Lease ({@link HolderReport}), never this replica's memory of it (stale since it stopped working
 * on the target). {@code ha}: the Leases as last seen ({@link TargetLeases#view}); {@code gate}:
 * whether this replica holds a target now.
 */
final class HaViews {

  private HaViews() {}

  /** The status of {@code repo}'s target {@code t}. */
  static TargetStatus.View target(String repo, TargetWorker t, TargetLeases.View ha, TargetGate gate) {
    String key = TargetGate.key(repo, t.environment());
    if (gate.holds(repo, t.environment())) {
      TargetStatus.View v = t.view();
      return new TargetStatus.View(v.target().with(DaemonStatus.Holding.here(ha.identity())), v.services());
    }
    return t.reported(ha.holders().getOrDefault(key, ""), HolderReport.parse(ha.annotations().get(key)));
  }

  /** {@code service} in {@code repo}'s target {@code t}, for its page; empty when it has no object there. */
  static Optional<ServiceView.Environment> service(String repo, TargetWorker t, String service, TargetLeases.View ha,
      TargetGate gate) {
    if (gate.holds(repo, t.environment())) {
      return t.serviceView(service).map(e -> new ServiceView.Environment(e.environment(), e.cluster(),
          e.appliedCommit(), e.sync(), e.health(), e.version(), e.objects(), e.drift(), e.findings(),
          Optional.of(DaemonStatus.Holding.here(ha.identity()))));
    }
    return ServiceViews.reported(service, target(repo, t, ha, gate));
  }

  /** The status's {@code ha} section: this replica, the live ones, who holds each target. */
  static DaemonStatus.Ha section(TargetLeases.View v) {
    return new DaemonStatus.Ha(v.identity(), v.replicas(), v.holders().entrySet().stream().map(e -> {
      int slash = e.getKey().indexOf('/');
      return new DaemonStatus.Holder(e.getKey().substring(0, slash), e.getKey().substring(slash + 1), e.getValue(),
          e.getValue().equals(v.identity()));
    }).toList());
  }
}
