package dev.paved.reconcile;

import dev.paved.desired.DesiredState;
import dev.paved.plan.Redactor;
import dev.paved.plan.ServiceHistory;
import dev.paved.source.CommitInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent history of a followed repo's services ({@link ServiceHistory} over the last
 * {@link #DEPTH} commits that touch the config repo), recomputed on a git worker after each new
 * good commit from what the last walk learnt ({@link ServiceHistory.Memo}): a new commit costs
 * its evaluation (from the repo's evaluation cache) and one comparison with the commit before it.
 * Readers get the last computed history, and the newest change of each service in each
 * environment, at once (empty until the first one).
 */
final class RepoHistory {

  private static final Logger LOG = LoggerFactory.getLogger(RepoHistory.class);
  static final int DEPTH = 10;

  /** A commit's desired state, or empty when it does not validate. */
  @FunctionalInterface
  interface Evaluate {
    Optional<DesiredState> desired(String commit);
  }

  /** A computed history and the newest change of each (service, environment) in it. */
  private record Computed(List<ServiceHistory.Entry> entries, Map<String, DaemonStatus.LastChange> lastChanges) {}

  private final ServiceHistory history = new ServiceHistory(new Redactor(), s -> true, e -> true);
  /** What the last walks learnt: a new head costs one comparison (and its evaluation), not {@link #DEPTH}. */
  private final ServiceHistory.Memo memo = new ServiceHistory.Memo(4 * DEPTH);
  private volatile String head;
  private volatile Computed computed = new Computed(List.of(), Map.of());

  /** The last computed history, newest commit first. */
  List<ServiceHistory.Entry> entries() {
    return computed.entries();
  }

  /** The newest change of each (service, environment) in {@link #entries}, keyed {@code service\0env}. */
  Map<String, DaemonStatus.LastChange> lastChanges() {
    return computed.lastChanges();
  }

  /** Recomputes the history ending at {@code commit} (on the caller's thread). */
  void update(String commit, RepoSource source, Evaluate evaluate) {
    if (commit.equals(head)) {
      return;
    }
    try {
      List<CommitInfo> commits = source.log(commit, DEPTH);
      List<ServiceHistory.Entry> entries = history.walk(commits, evaluate::desired, memo);
      computed = new Computed(entries, lastChanges(entries));
      head = commit;
    } catch (Exception e) {
      LOG.warn("history of {} not computed: {}", DaemonContext.shortId(commit), DaemonContext.message(e));
    }
  }

  private static Map<String, DaemonStatus.LastChange> lastChanges(List<ServiceHistory.Entry> entries) {
    Map<String, DaemonStatus.LastChange> out = new HashMap<>();
    for (ServiceHistory.Entry e : entries) {
      for (ServiceHistory.ServiceChange c : e.changes()) {
        out.putIfAbsent(c.service() + "\u0000" + c.environment(), new DaemonStatus.LastChange(e.commit().id(),
            e.commit().author(), e.commit().time(), e.commit().subject()));
      }
    }
    return Map.copyOf(out);
  }
}
