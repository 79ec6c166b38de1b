package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the lease rounds see, judged on the local clock from when a Lease last changed (client-go's rule). */
class LeaseObservationsTest {

  private static final long S = 1_000_000_000L;
  private static final ZonedDateTime LONG_AGO = ZonedDateTime.of(2001, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private static Lease member(String holder, String resourceVersion, Integer seconds) {
    return new LeaseBuilder().withNewMetadata().withName(LeaseStore.memberName(holder))
        .withResourceVersion(resourceVersion).addToLabels(LeaseStore.KIND_LABEL, "replica").endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds).withRenewTime(LONG_AGO)
        .endSpec().build();
  }

  private static Lease target(String repo, String environment, String holder, String resourceVersion) {
    return new LeaseBuilder().withNewMetadata().withName(LeaseStore.targetName(repo, environment))
        .withResourceVersion(resourceVersion).addToLabels(LeaseStore.KIND_LABEL, "target")
        .addToLabels(LeaseStore.REPO_LABEL, repo).addToLabels(LeaseStore.ENVIRONMENT_LABEL, environment).endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(10).withRenewTime(LONG_AGO).endSpec()
        .build();
  }

  @Test
  void aReplicaIsLiveWhileItsLeaseChangesWithinItsDurationWhateverItsTimestampsSay() {
    LeaseObservations o = new LeaseObservations("me", 15);
    assertThat(o.observe(List.of(), 0).live()).as("this replica, always").containsExactly("me");
    Lease b1 = member("b", "1", 10);
    assertThat(o.observe(List.of(b1), 0).live()).as("renewed in 2001, first seen now").containsExactly("b", "me");
    assertThat(o.observe(List.of(b1), 9 * S).live()).containsExactly("b", "me");
    assertThat(o.observe(List.of(b1), 11 * S).live()).as("unchanged for longer than its duration")
        .containsExactly("me");
    assertThat(o.observe(List.of(member("b", "2", 10)), 12 * S).live()).as("changed again")
        .containsExactly("b", "me");
    assertThat(o.observe(List.of(member("", "3", 10)), 13 * S).live()).as("no holder").containsExactly("me");
  }

  @Test
  void aLeaseWithoutDurationTakesTheDefault() {
    LeaseObservations o = new LeaseObservations("me", 15);
    Lease b = member("b", "1", null);
    o.observe(List.of(b), 0);
    assertThat(o.observe(List.of(b), 14 * S).live()).contains("b");
    assertThat(o.observe(List.of(b), 16 * S).live()).doesNotContain("b");
  }

  @Test
  void anotherReplicaGoneForFourDurationsIsToBeDeletedThisOneNever() {
    LeaseObservations o = new LeaseObservations("me", 15);
    Lease b = member("b", "1", 10);
    Lease me = member("me", "7", 10);
    o.observe(List.of(b, me), 0);
    assertThat(o.observe(List.of(b, me), 39 * S).gone()).isEmpty();
    assertThat(o.observe(List.of(b, me), 41 * S).gone()).containsExactly(b);
    assertThat(o.observe(List.of(b, me), 100 * S).gone()).doesNotContain(me);
  }

  @Test
  void targetLeasesAreKeyedByTheirLabelsAndFreeWhenReleasedOrExpired() {
    LeaseObservations o = new LeaseObservations("me", 15);
    Lease held = target("platform", "prod", "b", "1");
    Lease released = target("platform", "dev", "", "2");
    Lease unlabelled = new LeaseBuilder(target("x", "y", "b", "3")).editMetadata()
        .removeFromLabels(LeaseStore.REPO_LABEL).endMetadata().build();
    LeaseObservations.Round r = o.observe(List.of(held, released, unlabelled), 0);
    assertThat(r.targets()).containsOnlyKeys("platform/prod", "platform/dev");
    assertThat(r.live()).containsExactly("me");
    assertThat(o.expired(held, 9 * S)).isFalse();
    assertThat(o.expired(held, 11 * S)).isTrue();
    assertThat(o.expired(released, 0)).as("released: free at once").isTrue();
    assertThat(o.expired(target("other", "prod", "b", "9"), 0)).as("not seen by the last listing").isTrue();
    o.observe(List.of(target("platform", "prod", "b", "4")), 11 * S);
    assertThat(o.expired(held, 20 * S)).as("renewed at 11 s, by its resourceVersion").isFalse();
    o.observe(List.of(), 21 * S);
    assertThat(o.expired(held, 21 * S)).as("gone from the listing").isTrue();
  }
}
