package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.reconcile.HeadGate.Lineage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeadGateTest {

  private static final String A = "a".repeat(40);
  private static final String B = "b".repeat(40);
  private static final String C = "c".repeat(40);

  @Test
  void theHistoryRuleHoldsOnlyARewriteNobodyAllowedOrAccepted() {
    assertThat(HeadGate.lineage(Optional.empty(), false, false, false)).isEqualTo(Lineage.NOTHING_APPLIED);
    assertThat(HeadGate.lineage(Optional.of("local"), false, false, false)).as("paved apply of a directory")
        .isEqualTo(Lineage.NOTHING_APPLIED);
    assertThat(HeadGate.lineage(Optional.of(""), false, false, false)).isEqualTo(Lineage.NOTHING_APPLIED);
    assertThat(HeadGate.lineage(Optional.of(A), true, false, false)).isEqualTo(Lineage.DESCENDS);
    assertThat(HeadGate.lineage(Optional.of(A), false, true, false)).isEqualTo(Lineage.ACCEPTED);
    assertThat(HeadGate.lineage(Optional.of(A), false, false, true)).isEqualTo(Lineage.ALLOWED);
    assertThat(HeadGate.lineage(Optional.of(A), false, false, false)).isEqualTo(Lineage.REWRITTEN);
  }

  @Test
  void aRewriteIsHeldWithItsReasonAndBothShortIds() {
    HeadGate.Hold h = HeadGate.rewritten(A, B);
    assertThat(h.reason()).isEqualTo(HeadGate.Reason.HISTORY_REWRITTEN);
    assertThat(h.commit()).isEqualTo(B);
    assertThat(h.applied()).contains(A);
    assertThat(h.message()).isEqualTo("history rewritten: aaaaaaaaaaaa is not an ancestor of bbbbbbbbbbbb");
    assertThat(h.reason().remedy("platform")).contains("POST /api/v1/repos/platform/accept-head")
        .contains("allowHistoryRewrite: true");
  }

  @Test
  void theFirstHoldOfTheChecksWinsAndAnOpenGateHoldsNothing() throws Exception {
    HeadGate.Move move = new HeadGate.Move("platform", "prod", Optional.of(A), B);
    assertThat(HeadGate.OPEN.check(move)).isEmpty();
    List<String> asked = new ArrayList<>();
    HeadGate.Hold first = new HeadGate.Hold(HeadGate.Reason.HISTORY_REWRITTEN, B, Optional.of(A), "first");
    HeadGate gate = HeadGate.of(m -> {
      asked.add("go");
      return Optional.empty();
    }, m -> {
      asked.add("hold");
      return Optional.of(first);
    }, m -> {
      asked.add("never");
      return Optional.empty();
    });
    assertThat(gate.check(move)).contains(first);
    assertThat(asked).containsExactly("go", "hold");
  }

  /** Git as a set of (ancestor, commit) pairs, plus the same commit. */
  private static HistoryCheck.Ancestry git(Set<List<String>> pairs) {
    return (a, c) -> a.equals(c) || pairs.contains(List.of(a, c));
  }

  private static double rewrites(SimpleMeterRegistry registry, String outcome) {
    var c = registry.find("paved.history.rewrites").tags("repo", "platform", "environment", "prod", "outcome", outcome)
        .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aRewriteIsHeldAndCountedOnceUntilItsExactCommitIsAcceptedAndTheAcceptanceEndsWhenTheHeadMoves()
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // A -> C is a fast-forward; B was rewritten away from A.
    HistoryCheck check = new HistoryCheck(false, git(Set.of(List.of(A, C))), new DaemonMetrics(registry, "test"));
    HeadGate gate = HeadGate.of(check);

    assertThat(gate.check(new HeadGate.Move("platform", "prod", Optional.empty(), B))).as("nothing applied").isEmpty();
    assertThat(gate.check(new HeadGate.Move("platform", "prod", Optional.of(A), C))).as("fast-forward").isEmpty();
    HeadGate.Move rewrite = new HeadGate.Move("platform", "prod", Optional.of(A), B);
    assertThat(gate.check(rewrite)).hasValueSatisfying(h -> assertThat(h.message())
        .isEqualTo("history rewritten: aaaaaaaaaaaa is not an ancestor of bbbbbbbbbbbb"));
    assertThat(gate.check(rewrite)).as("a resync asks again: still held").isPresent();
    assertThat(rewrites(registry, "held")).as("counted once").isEqualTo(1);

    check.accept(C, B, "api");
    assertThat(gate.check(rewrite)).as("another commit was accepted").isPresent();
    check.accept(B, B, "api");
    assertThat(gate.check(rewrite)).as("accepted").isEmpty();
    check.headMoved(B);
    assertThat(check.accepted()).isPresent();
    check.headMoved(C);
    assertThat(check.accepted()).as("the head moved on: the acceptance ends").isEmpty();
    assertThat(gate.check(rewrite)).isPresent();
  }

  @Test
  void aRepoThatAllowsRewritesLetsThemGoCountedAsAllowed() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HeadGate gate = HeadGate.of(new HistoryCheck(true, git(Set.of()), new DaemonMetrics(registry, "test")));
    assertThat(gate.check(new HeadGate.Move("platform", "prod", Optional.of(A), B))).isEmpty();
    assertThat(rewrites(registry, "allowed")).isEqualTo(1);
    assertThat(rewrites(registry, "held")).isZero();
  }

  @Test
  void aHistoryGitCannotReadIsNeverLetThrough() {
    HeadGate gate = HeadGate.of(new HistoryCheck(true, (a, c) -> {
      throw new IOException("mirror unreadable");
    }, new DaemonMetrics(new SimpleMeterRegistry(), "test")));
    assertThatThrownBy(() -> gate.check(new HeadGate.Move("platform", "prod", Optional.of(A), B)))
        .hasMessage("mirror unreadable");
  }
}
