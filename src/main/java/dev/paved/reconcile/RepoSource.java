package dev.paved.reconcile;

import dev.paved.source.ConfigTree;
import java.nio.file.Path;

/**
 * The git side of one followed repo, as the daemon needs it: fetch the branch into the local
 * mirror, read a commit's config tree, revert a commit. Calls block (the daemon makes them on
 * its git workers); a failure of the remote (unreachable, credentials refused) is an
 * exception, which the daemon retries with backoff.
 */
public interface RepoSource extends AutoCloseable {

  /** Fetches the branch (incrementally) and returns its head commit id. */
  String fetch() throws Exception;

  /** The config tree (under the repo's path) at {@code commit}, which a fetch brought in. */
  ConfigTree read(String commit) throws Exception;

  /**
   * Whether {@code ancestor} is {@code commit} or one of its ancestors in the fetched history;
   * a commit the source never fetched (or not a commit id) is none. Throws when {@code commit}
   * is unknown or the history cannot be read.
   */
  boolean isAncestor(String ancestor, String commit) throws Exception;

  /**
   * Reverts a commit on the branch (or a review branch) and pushes the revert; a refusal the caller can act on
   * is a {@link DaemonFailure}.
   */
  DaemonApi.RevertOutcome revert(DaemonApi.RevertRequest request) throws Exception;

  /**
   * The commits before {@code head} (included) that change the config repo, newest first, at
   * most {@code max}; empty when the source keeps no history.
   */
  default java.util.List<dev.paved.source.CommitInfo> log(String head, int max) throws Exception {
    return java.util.List.of();
  }

  /**
   * The signature state of {@code commit} (which a fetch brought in) as {@code verifier} judges
   * it; a source that cannot tell says unsigned (so {@code enforce} holds it).
   */
  default dev.paved.source.CommitSignature signature(String commit, dev.paved.source.CommitSignatures verifier)
      throws Exception {
    return new dev.paved.source.CommitSignature.Unsigned(commit);
  }

  @Override
  void close();

  /** Opens the source of {@code repo}, keeping local state under {@code stateDir}. */
  @FunctionalInterface
  interface Factory {
    RepoSource open(DaemonConfig.Repo repo, Path stateDir) throws Exception;
  }
}
