package dev.paved.reconcile;

import dev.paved.desired.DesiredState;
import dev.paved.pipeline.EvaluationCache;
import dev.paved.plan.Redactor;
import dev.paved.plan.ServiceHistory;
import dev.paved.source.CommitInfo;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent history of a followed repo's services ({@link ServiceHistory} over the last
 * {@link #DEPTH} commits that touch the config repo), recomputed on a git worker after each new
 * good commit; evaluations come from the repo's evaluation cache, so a new commit costs one
 * evaluation. Readers get the last computed history at once (empty until the first one).
 */
final class RepoHistory {

  private static final Logger LOG = LoggerFactory.getLogger(RepoHistory.class);
  static final int DEPTH = 10;

  /** A commit's desired state, or empty when it does not validate. */
  @FunctionalInterface
  interface Evaluate {
    Optional<DesiredState> desired(String commit);
  }

  private volatile String head;
  private volatile List<ServiceHistory.Entry> entries = List.of();

  /** The last computed history, newest commit first. */
  List<ServiceHistory.Entry> entries() {
    return entries;
  }

  /** Recomputes the history ending at {@code commit} (on the caller's thread). */
  void update(String commit, RepoSource source, Evaluate evaluate) {
    if (commit.equals(head)) {
      return;
    }
    try {
      List<CommitInfo> commits = source.log(commit, DEPTH);
      entries = new ServiceHistory(new Redactor(), s -> true, e -> true).walk(commits, evaluate::desired);
      head = commit;
    } catch (Exception e) {
      LOG.warn("history of {} not computed: {}", DaemonContext.shortId(commit), DaemonContext.message(e));
    }
  }

  /** The evaluation cache as an {@link Evaluate}, reading trees from {@code source}. */
  static Evaluate of(EvaluationCache cache, RepoSource source) {
    return commit -> cache.get(commit, () -> {
      try {
        return source.read(commit);
      } catch (Exception ex) {
        throw new CompletionException(ex);
      }
    }).desired();
  }
}
