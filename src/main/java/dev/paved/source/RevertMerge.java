package dev.paved.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * {@code git revert} of one commit on a branch's tip, in memory on a bare repository: the commit
 * found (on the branch), the parent to restore chosen (a merge commit needs a mainline, as {@code
 * git revert -m}), then the same three-way merge JGit's {@code RevertCommand} runs (the tip with
 * the parent, based on the reverted commit), with no working tree or checkout. Which part of the
 * commit is reverted is {@link RevertScope}'s to say. The result is a tree, not yet a commit.
 */
final class RevertMerge {

  /** A revert's tree: {@code reverted} undone on {@code tip} back to {@code parent}, changing {@code paths}. */
  record Merged(RevCommit reverted, RevCommit parent, RevCommit tip, ObjectId tree, List<String> paths) {}

  private final String commit;
  private final int mainline;
  private final RevertScope scope;
  private final GitRemote remote;

  /** {@code commit}: a commit id (or an abbreviation); {@code mainline}: 0, or the parent (1-based) kept of a merge. */
  RevertMerge(String commit, int mainline, RevertScope scope, GitRemote remote) {
    this.commit = commit;
    this.mainline = mainline;
    this.scope = scope;
    this.remote = remote;
  }

  /** Reverts the commit on {@code tipId} of the remote's branch; grafted trees and the result written with {@code inserter}. */
  Merged merge(Repository repo, ObjectInserter inserter, ObjectId tipId) throws GitSourceException, IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit tip = walk.parseCommit(tipId);
      RevCommit target = walk.parseCommit(resolve(repo));
      if (!walk.isMergedInto(target, tip)) {
        throw new CommitNotFoundException("commit " + Reverter.abbrev(target) + " is not on branch " + remote.branch()
            + " of " + remote.display());
      }
      walk.reset();
      walk.parseBody(target);
      RevCommit parent = parentToRestore(target);
      walk.parseHeaders(parent);

      RevertScope.Sides sides = scope.sides(repo, inserter, tip, target, parent);
      ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
      merger.setBase(sides.base());
      merger.setCommitNames(new String[] {"reverted " + Reverter.abbrev(target), remote.branch(),
          "parent of " + Reverter.abbrev(target)});
      if (!merger.merge(tip.getTree(), sides.theirs())) {
        List<String> paths = new ArrayList<>(new TreeSet<>(merger.getUnmergedPaths()));
        Map<String, ResolveMerger.MergeFailureReason> failing = merger.getFailingPaths();
        if (paths.isEmpty() && failing != null) {
          paths.addAll(new TreeSet<>(failing.keySet()));
        }
        throw new RevertConflictException("reverting " + Reverter.abbrev(target) + " \"" + target.getShortMessage()
            + "\" conflicts with later changes on " + remote.branch() + " in " + String.join(", ", paths)
            + ". Nothing was pushed. Revert it by hand (git revert " + Reverter.abbrev(target) + "), resolve the"
            + " conflicts and push, or roll back the later commits first.", paths);
      }
      ObjectId tree = merger.getResultTreeId();
      List<String> changed = RevertScope.changedPaths(repo, tip.getTree(), tree);
      if (changed.isEmpty()) {
        throw new NothingToRevertException("nothing to revert: the changes of " + Reverter.abbrev(target) + " \""
            + target.getShortMessage() + "\" are already undone on " + remote.branch() + ". Nothing was pushed.");
      }
      scope.checkReverted(Reverter.abbrev(target), changed);
      return new Merged(target, parent, tip, tree, changed);
    }
  }

  private ObjectId resolve(Repository repo) throws GitSourceException, IOException {
    try {
      ObjectId id = repo.resolve(commit + "^{commit}");
      if (id == null) {
        throw new CommitNotFoundException("unknown commit " + commit + " (not in " + remote.branch()
            + " of " + remote.display() + ")");
      }
      return id;
    } catch (MissingObjectException e) {
      throw new CommitNotFoundException("unknown commit " + commit + " (not in " + remote.branch()
          + " of " + remote.display() + ")");
    } catch (AmbiguousObjectException e) {
      throw new CommitNotFoundException("commit id " + commit + " is ambiguous; give more of its digits");
    } catch (RevisionSyntaxException e) {
      throw new CommitNotFoundException("\"" + commit + "\" is not a commit id");
    }
  }

  private RevCommit parentToRestore(RevCommit target) throws RevertRefusedException {
    int parents = target.getParentCount();
    if (parents == 0) {
      throw new RevertRefusedException("commit " + Reverter.abbrev(target) + " is the first commit of the branch;"
          + " there is nothing before it to roll back to");
    }
    if (parents > 1 && mainline == 0) {
      throw new RevertRefusedException("commit " + Reverter.abbrev(target) + " is a merge commit; say which parent is"
          + " the mainline (1 for the branch it was merged into, as git revert -m 1)");
    }
    if (parents == 1 && mainline > 1) {
      throw new RevertRefusedException("commit " + Reverter.abbrev(target) + " is not a merge commit; mainline "
          + mainline + " does not apply");
    }
    if (mainline > parents) {
      throw new RevertRefusedException("commit " + Reverter.abbrev(target) + " has " + parents + " parents; mainline "
          + mainline + " does not exist");
    }
    return target.getParent(Math.max(mainline, 1) - 1);
  }
}
