package dev.paved.reconcile;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history check of one repo's targets ({@link HeadGate#lineage}): a commit that does not
 * descend from the commit applied to a target is held, unless the repo allows rewrites
 * ({@code allowHistoryRewrite}) or an operator accepted that commit ({@link #accept}). Ancestry
 * is git's answer, from the repo's mirror. Each rewrite seen is counted once per target
 * ({@code paved_history_rewrites_total}, outcome {@code held} or {@code allowed}).
 *
 * <p>An acceptance covers exactly the commit accepted, and lasts until the branch's head moves
 * ({@link #headMoved}): a later rewrite is held again, however it relates to the accepted commit.
 */
final class HistoryCheck implements HeadGate.Check {

  private static final Logger LOG = LoggerFactory.getLogger(HistoryCheck.class);

  /** Git's answer: whether {@code ancestor} is {@code commit} or one of its ancestors. */
  @FunctionalInterface
  interface Ancestry {
    boolean isAncestor(String ancestor, String commit) throws Exception;
  }

  /** An operator's acceptance of {@code commit}, made while the branch's head was {@code head}. */
  record Acceptance(String commit, String head, String actor) {}

  private final boolean allowRewrite;
  private final Ancestry ancestry;
  private final DaemonMetrics metrics;
  private volatile Acceptance accepted;
  /** Per environment, the last rewrite counted (applied + commit): a resync of a held target is not a new one. */
  private final Map<String, String> counted = new ConcurrentHashMap<>();

  HistoryCheck(boolean allowRewrite, Ancestry ancestry, DaemonMetrics metrics) {
    this.allowRewrite = allowRewrite;
    this.ancestry = ancestry;
    this.metrics = metrics;
  }

  @Override
  public Optional<HeadGate.Hold> check(HeadGate.Move move) throws Exception {
    Optional<String> applied = move.applied().filter(HeadGate::isCommitId);
    boolean descends = applied.isEmpty() || ancestry.isAncestor(applied.get(), move.commit());
    Acceptance a = accepted;
    boolean isAccepted = a != null && a.commit().equals(move.commit());
    HeadGate.Lineage lineage = HeadGate.lineage(applied, descends, isAccepted, allowRewrite);
    switch (lineage) {
      case NOTHING_APPLIED, DESCENDS -> {
        counted.remove(move.environment());
        return Optional.empty();
      }
      case ACCEPTED -> {
        LOG.warn("{}/{}: history rewritten: {} is not an ancestor of {}; applying it, as {} accepted it", move.repo(),
            move.environment(), DaemonContext.shortId(applied.get()), DaemonContext.shortId(move.commit()), a.actor());
        return Optional.empty();
      }
      case ALLOWED -> {
        if (count(move, "allowed")) {
          LOG.warn("{}/{}: history rewritten: {} is not an ancestor of {}; applying it (allowHistoryRewrite: true)",
              move.repo(), move.environment(), DaemonContext.shortId(applied.get()),
              DaemonContext.shortId(move.commit()));
        }
        return Optional.empty();
      }
      default -> {
        count(move, "held");
        return Optional.of(HeadGate.rewritten(applied.get(), move.commit()));
      }
    }
  }

  /** Counts a rewrite once per target and pair of commits; true when it is new. */
  private boolean count(HeadGate.Move move, String outcome) {
    String key = move.applied().orElse("") + ".." + move.commit();
    if (key.equals(counted.put(move.environment(), key))) {
      return false;
    }
    metrics.historyRewrite(move.repo(), move.environment(), outcome);
    return true;
  }

  /** {@code commit} may be applied although it rewrites history, until the head moves from {@code head}. */
  void accept(String commit, String head, String actor) {
    accepted = new Acceptance(commit, head, actor);
  }

  /** The acceptance, if one holds. */
  Optional<Acceptance> accepted() {
    return Optional.ofNullable(accepted);
  }

  /** The branch's head is {@code head} now: an acceptance made at another head ends. */
  void headMoved(String head) {
    Acceptance a = accepted;
    if (a != null && !a.head().equals(head)) {
      accepted = null;
    }
  }
}
