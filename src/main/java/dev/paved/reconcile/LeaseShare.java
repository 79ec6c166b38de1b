package dev.paved.reconcile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which targets a replica keeps, takes and gives up in one round of {@link TargetLeases}, as a
 * pure function of what it observed: the targets it knows, the live replicas (unexpired member
 * Leases, itself included), and each target Lease's holder and whether it is free (no holder, or
 * not renewed for its whole duration as observed locally).
 *
 * <p>Each replica takes at most its fair share, {@code ceil(targets / live replicas)}: a replica
 * holding more gives the surplus back (a replica joined), one holding less takes free targets (a
 * replica left or died). Which targets: every replica ranks the targets by a hash of its own
 * identity and the target (rendezvous hashing), so replicas prefer different targets and rarely
 * race for the same one; a race is settled by the apiserver (one create or update wins).
 */
final class LeaseShare {

  private LeaseShare() {}

  /** A target's Lease as observed: its holder ("" when released) and whether it may be taken. */
  record Observed(String holder, boolean free) {}

  /**
   * The round's decision: {@code keep} (renew), {@code take} (acquire, in order of preference),
   * {@code giveUp} (release: over the fair share), {@code drop} (held Leases of targets no longer
   * known: delete), and the fair share itself.
   */
  record Decision(Set<String> keep, List<String> take, Set<String> giveUp, Set<String> drop, int fairShare) {}

  /**
   * @param self this replica's identity
   * @param targets every target this replica knows ({@code repo/environment})
   * @param live the identities of the live replicas (self counts even when absent)
   * @param leases the target Leases observed, by target; a target without one is free
   * @param held the targets this replica holds now
   */
  static Decision decide(String self, Set<String> targets, Set<String> live, Map<String, Observed> leases,
      Set<String> held) {
    Set<String> replicas = new TreeSet<>(live);
    replicas.add(self);
    int fair = targets.isEmpty() ? 0 : (targets.size() + replicas.size() - 1) / replicas.size();
    Set<String> drop = new TreeSet<>(held);
    drop.removeAll(targets);
    List<String> mine = rank(self, held.stream().filter(targets::contains).toList());
    Set<String> keep = new TreeSet<>(mine.subList(0, Math.min(fair, mine.size())));
    Set<String> giveUp = new TreeSet<>(mine.subList(keep.size(), mine.size()));
    List<String> free = new ArrayList<>();
    for (String t : targets) {
      Observed o = leases.get(t);
      if (!held.contains(t) && (o == null || o.free() || o.holder().isEmpty())) {
        free.add(t);
      }
    }
    List<String> take = rank(self, free);
    take = List.copyOf(take.subList(0, Math.max(0, Math.min(take.size(), fair - keep.size()))));
    return new Decision(keep, take, giveUp, drop, fair);
  }

  /** {@code targets} in {@code self}'s order of preference (highest rendezvous hash first). */
  static List<String> rank(String self, List<String> targets) {
    List<String> out = new ArrayList<>(targets);
    out.sort(Comparator.comparingLong((String t) -> score(self, t)).reversed().thenComparing(t -> t));
    return out;
  }

  private static long score(String self, String target) {
    // FNV-1a 64 over "self\0target": stable across JVMs and versions, well spread.
    long h = 0xcbf29ce484222325L;
    for (byte b : (self + "\u0000" + target).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
