package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.reconcile.LeaseShare.Decision;
import dev.paved.reconcile.LeaseShare.Observed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The fair-share and takeover decision of one lease round, as a pure function. */
class LeaseShareTest {

  private static final Set<String> SIX = Set.of("p/a", "p/b", "p/c", "p/d", "p/e", "p/f");

  @Test
  void aReplicaAloneTakesEveryFreeTarget() {
    Decision d = LeaseShare.decide("r0", SIX, Set.of(), Map.of(), Set.of());
    assertThat(d.fairShare()).isEqualTo(6);
    assertThat(d.take()).containsExactlyInAnyOrderElementsOf(SIX);
    assertThat(d.keep()).isEmpty();
    assertThat(d.giveUp()).isEmpty();
  }

  @Test
  void threeReplicasTakeAtMostTheirFairShareEach() {
    Decision d = LeaseShare.decide("r0", SIX, Set.of("r0", "r1", "r2"), Map.of(), Set.of());
    assertThat(d.fairShare()).isEqualTo(2);
    assertThat(d.take()).hasSize(2);
    // Seven targets over three replicas: ceil(7 / 3) = 3.
    Set<String> seven = new TreeSet<>(SIX);
    seven.add("p/g");
    assertThat(LeaseShare.decide("r0", seven, Set.of("r1", "r2"), Map.of(), Set.of()).fairShare()).isEqualTo(3);
  }

  @Test
  void aTargetHeldByAnotherLiveReplicaIsNeverTaken() {
    Map<String, Observed> leases = new HashMap<>();
    SIX.forEach(t -> leases.put(t, new Observed("r1", false)));
    Decision d = LeaseShare.decide("r0", SIX, Set.of("r0", "r1"), leases, Set.of());
    assertThat(d.take()).isEmpty();
  }

  @Test
  void aReplicaOverItsShareGivesTheSurplusBackWhenOthersJoin() {
    Map<String, Observed> leases = new HashMap<>();
    SIX.forEach(t -> leases.put(t, new Observed("r0", false)));
    Decision d = LeaseShare.decide("r0", SIX, Set.of("r0", "r1", "r2"), leases, SIX);
    assertThat(d.keep()).hasSize(2);
    assertThat(d.giveUp()).hasSize(4).doesNotContainAnyElementsOf(d.keep());
    assertThat(d.take()).isEmpty();
  }

  @Test
  void theTargetsOfADeadReplicaAreTakenOverOnceTheirLeasesExpire() {
    // r1 died: its member Lease expired (not live), its two target Leases too (free).
    Map<String, Observed> leases = new HashMap<>();
    leases.put("p/a", new Observed("r0", false));
    leases.put("p/b", new Observed("r0", false));
    leases.put("p/c", new Observed("r1", true));
    leases.put("p/d", new Observed("r1", true));
    leases.put("p/e", new Observed("r2", false));
    leases.put("p/f", new Observed("r2", false));
    Decision d = LeaseShare.decide("r0", SIX, Set.of("r0", "r2"), leases, Set.of("p/a", "p/b"));
    assertThat(d.fairShare()).isEqualTo(3);
    assertThat(d.keep()).containsExactlyInAnyOrder("p/a", "p/b");
    assertThat(d.take()).hasSize(1).isSubsetOf("p/c", "p/d");
    // Before they expire, nothing is taken: a Lease is never taken while it may be held.
    leases.put("p/c", new Observed("r1", false));
    leases.put("p/d", new Observed("r1", false));
    assertThat(LeaseShare.decide("r0", SIX, Set.of("r0", "r2"), leases, Set.of("p/a", "p/b")).take()).isEmpty();
  }

  @Test
  void aReleasedLeaseIsFreeAtOnce() {
    Map<String, Observed> leases = new HashMap<>();
    SIX.forEach(t -> leases.put(t, new Observed("r1", false)));
    leases.put("p/c", new Observed("", false)); // released at SIGTERM: holder cleared
    Decision d = LeaseShare.decide("r0", SIX, Set.of("r0", "r1"), leases, Set.of());
    assertThat(d.take()).containsExactly("p/c");
  }

  @Test
  void aHeldTargetNoLongerKnownIsDropped() {
    Decision d = LeaseShare.decide("r0", Set.of("p/a"), Set.of(), Map.of(), Set.of("p/a", "p/gone"));
    assertThat(d.drop()).containsExactly("p/gone");
    assertThat(d.keep()).containsExactly("p/a");
    assertThat(LeaseShare.decide("r0", Set.of(), Set.of(), Map.of(), Set.of()).fairShare()).isZero();
  }

  @Test
  void replicasPreferDifferentTargets() {
    List<String> targets = List.copyOf(new TreeSet<>(SIX));
    assertThat(LeaseShare.rank("r0", targets)).isEqualTo(LeaseShare.rank("r0", targets)) // stable
        .containsExactlyInAnyOrderElementsOf(targets);
    assertThat(Set.of(LeaseShare.rank("r0", targets), LeaseShare.rank("r1", targets), LeaseShare.rank("r2", targets)))
        .as("three identities, three orders").hasSize(3);
  }

  /**
   * Three replicas starting together, each round applying its decision against one shared store
   * where the first writer of a Lease wins (as the apiserver's resourceVersion does): they settle
   * on two targets each, disjoint, and stay there.
   */
  @Test
  void threeReplicasSettleOnDisjointFairShares() {
    List<String> replicas = List.of("paved-0", "paved-1", "paved-2");
    Map<String, String> store = new TreeMap<>(); // target -> holder ("" released)
    Map<String, Set<String>> held = new HashMap<>();
    replicas.forEach(r -> held.put(r, new TreeSet<>()));
    for (int round = 0; round < 5; round++) {
      for (String r : replicas) {
        Map<String, Observed> leases = new HashMap<>();
        store.forEach((t, h) -> leases.put(t, new Observed(h, false)));
        Decision d = LeaseShare.decide(r, SIX, Set.copyOf(replicas), leases, held.get(r));
        for (String t : d.giveUp()) {
          store.put(t, "");
          held.get(r).remove(t);
        }
        for (String t : d.take()) {
          String h = store.get(t);
          if (h == null || h.isEmpty()) { // the create or update carrying the version read wins
            store.put(t, r);
            held.get(r).add(t);
          }
        }
      }
    }
    assertThat(store).hasSize(6);
    Set<String> all = new TreeSet<>();
    for (String r : replicas) {
      assertThat(held.get(r)).as(r).hasSize(2);
      held.get(r).forEach(t -> assertThat(store.get(t)).isEqualTo(r));
      assertThat(all.addAll(held.get(r))).isTrue();
    }
    assertThat(all).isEqualTo(SIX);
  }
}
