package dev.paved.reconcile;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the HTTP edge ({@code dev.paved.server}) may ask of the daemon. Every method returns at
 * once; work happens on the daemon's own threads (never on a Vert.x event loop).
 */
public interface DaemonApi {

  /** Ready once every repo has been fetched and evaluated once. */
  boolean ready();

  DaemonStatus status();

  /** Names of the followed repos. */
  java.util.Set<String> repos();

  /**
   * The followed repos whose URL is one of {@code urls}, compared as repository locations
   * ({@link RepoUrls#normalize}): how a webhook payload finds its repo.
   */
  java.util.List<String> reposAt(java.util.Collection<String> urls);

  /** Fetches {@code repo} now (coalesced with a fetch already under way); fails for an unknown repo. */
  CompletionStage<Void> refresh(String repo);

  /**
   * Reverts a commit on {@code repo}'s branch and pushes the revert (the daemon then reconciles
   * it like any commit), or pushes it to a new review branch.
   */
  CompletionStage<RevertOutcome> revert(String repo, RevertRequest request);

  /** A revert of the whole commit, pushed to the branch, refused if it touches files outside the repo's path. */
  default CompletionStage<RevertOutcome> revert(String repo, String commit, String reason, String actor) {
    return revert(repo, new RevertRequest(commit, reason, actor, false, Optional.empty()));
  }

  /**
   * Accepts {@code commit} of {@code repo} (its head or last good commit, or a prefix of 7+ hex
   * digits of one) although it rewrites the history of what a target has: the targets held at
   * it apply it. {@code actor} is who accepted (for the log and the audit). Fails with a
   * {@link DaemonFailure}: {@code UNKNOWN_REPO}, {@code CONFLICT} (neither head nor last good).
   */
  CompletionStage<AcceptOutcome> acceptHead(String repo, String commit, String actor);

  /** The webhook secret of {@code repo}, read from its file, if one is configured. */
  Optional<String> webhookSecret(String repo);

  /** {@code service}'s page: per environment, objects, drift, findings, and its history; empty when unknown. */
  Optional<ServiceView> service(String service);

  /** The newest good platform of each followed repo (for the catalog), by repo name. */
  java.util.Map<String, dev.paved.config.Platform> platforms();

  /** The daemon's metrics, rendered at {@code GET /metrics}. */
  PrometheusMeterRegistry metrics();

  /** An accepted commit: the repo, the full commit id, and the environments that were held at it. */
  record AcceptOutcome(String repo, String accepted, java.util.List<String> environments) {
    public AcceptOutcome {
      environments = java.util.List.copyOf(environments);
    }
  }

  /**
   * What to revert: the commit, why (one line), the revert's git author ({@code "Name"} or
   * {@code "Name <email>"}), whether only the part under the repo's {@code path} is reverted
   * (else a commit also touching files outside it is refused), and the new branch to push it
   * to for review instead of the followed branch.
   */
  record RevertRequest(String commit, String reason, String author, boolean pathOnly, Optional<String> reviewBranch) {
    public RevertRequest {
      reviewBranch = reviewBranch == null ? Optional.empty() : reviewBranch;
    }
  }

  /**
   * A revert that was pushed: the new commit, the branch it is on (the review branch when one was
   * asked), the reverted commit, whether it went to a review branch, and the files it changes.
   */
  record RevertOutcome(String revertCommit, String branch, String reverted, boolean reviewBranch, java.util.List<String> paths) {
    public RevertOutcome {
      paths = paths == null ? java.util.List.of() : java.util.List.copyOf(paths);
    }

    public RevertOutcome(String revertCommit, String branch, String reverted) {
      this(revertCommit, branch, reverted, false, java.util.List.of());
    }
  }
}
