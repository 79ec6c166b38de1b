package dev.paved.source;

/** The commit to revert is unknown, ambiguous, or not on the branch. */
public class CommitNotFoundException extends GitSourceException {

  public CommitNotFoundException(String message) {
    super(message);
  }

  public CommitNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
