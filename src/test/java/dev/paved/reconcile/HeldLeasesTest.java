package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The targets a replica holds and the gate over them: open only while fresh, never given up under a reconcile. */
class HeldLeasesTest {

  private static final long DEADLINE = Duration.ofSeconds(10).toNanos();

  private static Lease lease(String resourceVersion) {
    return new LeaseBuilder().withNewMetadata().withName("paved-target-p.dev").withResourceVersion(resourceVersion)
        .endMetadata().build();
  }

  @Test
  void theGateOpensOnlyOnAHeldTargetRenewedWithinTheDeadline() {
    HeldLeases h = new HeldLeases(Duration.ofSeconds(10));
    assertThat(h.enter("p", "dev")).isFalse();
    assertThat(h.holds("p", "dev")).isFalse();
    h.add("p/dev", lease("1"), System.nanoTime());
    assertThat(h.holds("p", "dev")).isTrue();
    assertThat(h.enter("p", "dev")).isTrue();
    h.exit("p", "dev");

    long late = System.nanoTime() - DEADLINE - 1;
    h.add("p/prod", lease("2"), late);
    assertThat(h.enter("p", "prod")).isFalse();
    assertThat(h.holds("p", "prod")).isFalse();
    assertThat(h.stale(System.nanoTime())).containsExactly("p/prod");
    h.renewed("p/prod", lease("3"), System.nanoTime());
    assertThat(h.enter("p", "prod")).isTrue();
    assertThat(h.lease("p/prod").getMetadata().getResourceVersion()).isEqualTo("3");
    assertThat(h.stale(System.nanoTime())).isEmpty();
    h.renewed("p/gone", lease("4"), System.nanoTime());
    assertThat(h.keys()).as("a renewal does not take a target").containsExactly("p/dev", "p/prod");
    assertThat(h.size()).isEqualTo(2);
  }

  @Test
  void aTargetUnderAReconcileIsNotGivenUpUntilItEnds() {
    HeldLeases h = new HeldLeases(Duration.ofSeconds(10));
    h.add("p/dev", lease("1"), System.nanoTime());
    assertThat(h.enter("p", "dev")).isTrue();
    assertThat(h.enter("p", "dev")).isTrue();
    assertThat(h.release("p/dev")).isEqualTo(new HeldLeases.Release(null, true));
    h.exit("p", "dev");
    assertThat(h.release("p/dev").busy()).as("one reconcile still runs").isTrue();
    assertThat(h.keys()).containsExactly("p/dev");
    h.exit("p", "dev");
    h.exit("p", "dev"); // never below zero
    assertThat(h.release("p/dev").lease().getMetadata().getResourceVersion()).isEqualTo("1");
    assertThat(h.keys()).isEmpty();
    assertThat(h.enter("p", "dev")).isFalse();
    assertThat(h.release("p/dev")).as("not held").isEqualTo(new HeldLeases.Release(null, false));
  }

  @Test
  void aLostTargetClosesTheGateAndClearGivesEveryLeaseBack() {
    HeldLeases h = new HeldLeases(Duration.ofSeconds(10));
    h.add("p/dev", lease("1"), System.nanoTime());
    h.add("p/prod", lease("2"), System.nanoTime());
    assertThat(h.remove("p/dev")).isTrue();
    assertThat(h.remove("p/dev")).isFalse();
    assertThat(h.holds("p", "dev")).isFalse();
    assertThat(h.clear()).containsOnlyKeys("p/prod");
    assertThat(h.size()).isZero();
    assertThat(h.holds("p", "prod")).isFalse();
  }
}
