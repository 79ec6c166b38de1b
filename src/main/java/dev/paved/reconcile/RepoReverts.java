package dev.paved.reconcile;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reverts the daemon pushes to one followed repo: on an operator's request (the revert API)
 * and as the automatic rollback of a commit whose rollout stayed degraded past its deadline
 * ({@code onDegraded}), both through the same path. Each revert pushed is trusted as the daemon's
 * own ({@link SignatureGate}, {@code trustOwnReverts}), told to the listeners, and fetched at once
 * unless it waits on a review branch. Runs on the git pool.
 */
final class RepoReverts {
  private static final Logger LOG = LoggerFactory.getLogger(RepoReverts.class);

  /** The repo's source, opened on first use. */
  interface Source {
    RepoSource get() throws Exception;
  }

  private final DaemonContext context;
  private final DaemonConfig.Repo repo;
  private final Source source;
  private final SignatureGate signatures;
  private final Runnable refresh;

  /** {@code refresh}: fetches the repo again (a revert pushed to its branch is reconciled like any commit). */
  RepoReverts(DaemonContext context, DaemonConfig.Repo repo, Source source, SignatureGate signatures,
      Runnable refresh) {
    this.context = context;
    this.repo = repo;
    this.source = source;
    this.signatures = signatures;
    this.refresh = refresh;
  }

  /**
   * Reverts {@code commit} because its rollout stayed degraded ({@code onDegraded}): through the
   * same path as the revert API, author Paved. Never a revert of a revert; a commit that cannot be
   * reverted cleanly is left alone (logged, and told to the listeners).
   */
  void rollBack(String environment, String commit, String health) {
    try {
      context.git.execute(() -> {
        String subject;
        try {
          subject = source.get().log(commit, 1).stream().findFirst().map(dev.paved.source.CommitInfo::subject)
              .orElse("");
        } catch (Exception e) {
          subject = "";
        }
        if (subject.startsWith("Revert \"")) {
          LOG.warn("{}/{}: commit {} is degraded but is itself a revert; not reverting it", repo.name(), environment,
              DaemonContext.shortId(commit));
          context.emit(DaemonEvent.Type.HEALTH_DEGRADED, DaemonEvent.Severity.ERROR, repo.name(), environment, null,
              null, commit, "still degraded past its deadline, but not reverted automatically: the commit is itself a"
                  + " revert", List.of());
          return;
        }
        String reason = dev.paved.source.RevertReason.flatten("rollout degraded in " + environment + ": " + health,
            500);
        LOG.warn("{}/{}: commit {} still degraded after its deadline; reverting it ({})", repo.name(), environment,
            DaemonContext.shortId(commit), reason);
        // Only the config repo's part: the daemon knows nothing of the other files a commit touched.
        revert(new DaemonApi.RevertRequest(commit, reason, "Paved <paved@localhost>", true, Optional.empty()))
            .exceptionally(ex -> {
              LOG.warn("{}/{}: automatic rollback of {} failed: {}", repo.name(), environment,
                  DaemonContext.shortId(commit), DaemonContext.message(ex));
              context.emit(DaemonEvent.Type.HEALTH_DEGRADED, DaemonEvent.Severity.ERROR, repo.name(), environment, null,
                  null, commit, "automatic rollback failed: " + DaemonContext.message(ex), List.of());
              return null;
            });
      });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Reverts {@code request.commit()} on the repo's branch (or a review branch); see {@link DaemonApi#revert(String, DaemonApi.RevertRequest)}. */
  CompletionStage<DaemonApi.RevertOutcome> revert(DaemonApi.RevertRequest request) {
    String commit = request.commit();
    String reason = request.reason();
    String actor = request.author();
    return CompletableFuture.supplyAsync(() -> {
      if (!context.enter()) {
        throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "the daemon is stopping");
      }
      try {
        DaemonApi.RevertOutcome outcome = source.get().revert(request);
        signatures.ownRevert(outcome.revertCommit());
        return outcome;
      } catch (DaemonFailure e) {
        throw e;
      } catch (Exception e) {
        throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "cannot revert " + commit + " on repo "
            + repo.name() + ": " + DaemonContext.message(e), e);
      } finally {
        context.exit();
      }
    }, context.git).thenApply(outcome -> {
      context.emit(DaemonEvent.Type.ROLLBACK_MADE, DaemonEvent.Severity.WARNING, repo.name(), null, null, null,
          outcome.revertCommit(), "commit " + DaemonContext.shortId(commit) + " reverted by " + actor
              + (outcome.reviewBranch() ? " on review branch " + outcome.branch() + " (not applied until merged)" : "")
              + (reason == null || reason.isBlank() ? "" : ": " + reason), List.of());
      if (!outcome.reviewBranch()) {
        refresh.run(); // the revert is reconciled like any commit
      }
      return outcome;
    });
  }
}
