package dev.paved.reconcile;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a target may move from the commit applied to it to another one, asked before anything
 * of the move is written (before the drift watcher takes the new state, before the inventory
 * or any object is touched). Each {@link Check} of the gate may hold the move, with a typed
 * {@link Reason} and a sentence; the first hold wins. A held target keeps what the cluster has:
 * its status is {@code HELD} with the hold ({@link DaemonStatus.Target#hold()}), and it is
 * asked again at the next commit, resync, or when an operator accepts the commit.
 *
 * <p>The checks are data in, data out: the caller gathers the facts (the anchor: the commit the
 * target's in-cluster inventory records; git's answers) and the rules here decide. The history
 * rule ({@link #lineage}) is the first check ({@link HistoryCheck}); a check of commit
 * signatures plugs in the same way, with its own reasons.
 */
public final class HeadGate {

  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  /** Why a move is held, and what an operator can do about it. */
  public enum Reason {
    /** The commit does not descend from the one applied: the branch's history was rewritten (a force-push). */
    HISTORY_REWRITTEN("if the rewrite is wanted, accept the commit (POST /api/v1/repos/%s/accept-head) or set"
        + " allowHistoryRewrite: true on the repo in the daemon config");

    private final String remedy;

    Reason(String remedy) {
      this.remedy = remedy;
    }

    /** What to do, as a sentence, for repo {@code repo}. */
    public String remedy(String repo) {
      return remedy.formatted(repo);
    }
  }

  /**
   * A held move: why, the commit not applied, the commit the target keeps (when one is recorded)
   * and a sentence for people (status, logs).
   */
  public record Hold(Reason reason, String commit, Optional<String> applied, String message) {}

  /** One move of one target: {@code applied} is the anchor (empty: nothing recorded), {@code commit} where it would go. */
  public record Move(String repo, String environment, Optional<String> applied, String commit) {}

  /** One check of the gate. */
  @FunctionalInterface
  public interface Check {
    /**
     * Empty lets the move go on; a hold stops it. Throws when the facts cannot be gathered (the
     * move is then retried with backoff, never let through).
     */
    Optional<Hold> check(Move move) throws Exception;
  }

  /** A gate that holds nothing (paved apply, tests). */
  public static final HeadGate OPEN = new HeadGate(List.of());

  private final List<Check> checks;

  private HeadGate(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  /** A gate of {@code checks}, asked in this order. */
  public static HeadGate of(Check... checks) {
    return new HeadGate(List.of(checks));
  }

  /** The first hold of the checks, in order; empty when every check lets {@code move} go. */
  public Optional<Hold> check(Move move) throws Exception {
    for (Check c : checks) {
      Optional<Hold> hold = c.check(move);
      if (hold.isPresent()) {
        return hold;
      }
    }
    return Optional.empty();
  }

  // ------------------------------------------------------------------ the history rule

  /** How a commit relates to the one applied, and what the history rule makes of it. */
  public enum Lineage {
    /** No commit of this branch is recorded (nothing applied yet, or applied from a directory): goes on. */
    NOTHING_APPLIED,
    /** The applied commit is the commit or one of its ancestors: goes on. */
    DESCENDS,
    /** Rewritten, but an operator accepted this very commit: goes on. */
    ACCEPTED,
    /** Rewritten, and the repo allows rewrites ({@code allowHistoryRewrite: true}): goes on. */
    ALLOWED,
    /** Rewritten: held. */
    REWRITTEN
  }

  /** Whether {@code anchor} names a commit (a full id); {@code local} (a directory applied) or {@code ""} do not. */
  public static boolean isCommitId(String anchor) {
    return COMMIT_ID.matcher(anchor).matches();
  }

  /**
   * The history rule: a move goes on when no commit is recorded, when the recorded commit is an
   * ancestor of the new one ({@code descends}, git's answer), when an operator accepted the new
   * commit ({@code accepted}), or when the repo allows rewrites; else it is held.
   */
  public static Lineage lineage(Optional<String> applied, boolean descends, boolean accepted, boolean allowRewrite) {
    if (applied.filter(HeadGate::isCommitId).isEmpty()) {
      return Lineage.NOTHING_APPLIED;
    }
    if (descends) {
      return Lineage.DESCENDS;
    }
    if (accepted) {
      return Lineage.ACCEPTED;
    }
    return allowRewrite ? Lineage.ALLOWED : Lineage.REWRITTEN;
  }

  /** The hold of a rewritten history: {@code history rewritten: <applied> is not an ancestor of <commit>}. */
  public static Hold rewritten(String applied, String commit) {
    return new Hold(Reason.HISTORY_REWRITTEN, commit, Optional.of(applied), "history rewritten: "
        + DaemonContext.shortId(applied) + " is not an ancestor of " + DaemonContext.shortId(commit));
  }
}
