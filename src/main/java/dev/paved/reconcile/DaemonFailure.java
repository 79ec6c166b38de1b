package dev.paved.reconcile;

import dev.paved.secret.Scrubber;

/**
 * Why a {@link DaemonApi} request was refused, as data the HTTP edge maps to a status code.
 * A {@code CompletionStage} returned by {@code refresh} or {@code revert} that fails with this
 * (directly or wrapped in a {@code CompletionException}) gets a precise answer; any other
 * failure is an internal error.
 */
public final class DaemonFailure extends RuntimeException {

  /** The kinds of refusal. */
  public enum Kind {
    /** No followed repo has this name (HTTP 404). */
    UNKNOWN_REPO,
    /** The commit to revert is not on the repo's branch (HTTP 404). */
    UNKNOWN_COMMIT,
    /** The revert conflicts with later commits, or the push was rejected; nothing was pushed (HTTP 409). */
    CONFLICT,
    /** The request cannot be carried out as asked, e.g. reverting a merge commit (HTTP 400). */
    INVALID,
    /** Something outside Paved failed: the git remote is unreachable, credentials are refused (HTTP 503). */
    UNAVAILABLE
  }

  private final Kind kind;

  public DaemonFailure(Kind kind, String message) {
    this(kind, message, null);
  }

  public DaemonFailure(Kind kind, String message, Throwable cause) {
    super(Scrubber.scrub(message), cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
