package dev.paved.reconcile;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the rounds of {@link TargetLeases} have seen of the Leases, judged like client-go's leader
 * election: a Lease is expired when it has no holder, or when it has not changed (its {@code
 * resourceVersion}) for its whole {@code leaseDurationSeconds} on this replica's monotonic clock,
 * never by the timestamps in it (other clocks may be skewed). From one listing it tells the live
 * replicas, the target Leases by target, and the member Leases of replicas gone for long. Pure:
 * the caller gives the time ({@link System#nanoTime}); used on the lease thread only.
 */
final class LeaseObservations {

  /**
   * One listing: {@code live} replicas (unexpired member Leases, this replica always), the target
   * Leases by {@link TargetGate#key}, and {@code gone}: member Leases of other replicas unchanged for
   * four lease durations (killed, their pod replaced), of no more use.
   */
  record Round(Set<String> live, Map<String, Lease> targets, List<Lease> gone) {}

  /** A Lease as last seen, and when (local monotonic clock) it last changed. */
  private record Seen(String resourceVersion, String holder, long changedAt, int durationSeconds) {}

  private final String identity;
  private final int defaultSeconds;
  private final Map<String, Seen> seen = new HashMap<>();

  /** {@code defaultSeconds}: the duration of a Lease that states none. */
  LeaseObservations(String identity, int defaultSeconds) {
    this.identity = identity;
    this.defaultSeconds = defaultSeconds;
  }

  /** Records when each Lease of {@code all} (every Lease listed) last changed; forgets the others. */
  Round observe(List<Lease> all, long now) {
    Set<String> live = new TreeSet<>();
    List<Lease> gone = new ArrayList<>();
    Map<String, Lease> targets = new TreeMap<>();
    Map<String, Seen> next = new HashMap<>();
    for (Lease l : all) {
      String name = l.getMetadata().getName();
      Seen before = seen.get(name);
      String rv = l.getMetadata().getResourceVersion();
      int duration = l.getSpec() == null || l.getSpec().getLeaseDurationSeconds() == null ? defaultSeconds
          : l.getSpec().getLeaseDurationSeconds();
      String holder = LeaseStore.holder(l);
      Seen s = before != null && before.resourceVersion().equals(rv) ? before : new Seen(rv, holder, now, duration);
      next.put(name, s);
      Map<String, String> labels = l.getMetadata().getLabels() == null ? Map.of() : l.getMetadata().getLabels();
      if ("replica".equals(labels.get(LeaseStore.KIND_LABEL))) {
        if (!holder.isEmpty() && !expired(s, now)) {
          live.add(holder);
        } else if (!identity.equals(holder) && now - s.changedAt() > 4 * TimeUnit.SECONDS.toNanos(duration)) {
          gone.add(l);
        }
      } else if ("target".equals(labels.get(LeaseStore.KIND_LABEL)) && labels.containsKey(LeaseStore.REPO_LABEL)
          && labels.containsKey(LeaseStore.ENVIRONMENT_LABEL)) {
        targets.put(TargetGate.key(labels.get(LeaseStore.REPO_LABEL), labels.get(LeaseStore.ENVIRONMENT_LABEL)), l);
      }
    }
    seen.clear();
    seen.putAll(next);
    live.add(identity);
    return new Round(live, targets, gone);
  }

  /** Whether {@code l} may be taken: released, expired as observed, or not seen by the last listing. */
  boolean expired(Lease l, long now) {
    Seen s = seen.get(l.getMetadata().getName());
    return s == null || expired(s, now);
  }

  private static boolean expired(Seen s, long now) {
    return s.holder().isEmpty() || now - s.changedAt() > TimeUnit.SECONDS.toNanos(s.durationSeconds());
  }
}
