package dev.paved.source;

/** A git operation of Paved failed: unknown revision, not a repository, unreadable objects. */
public class GitSourceException extends Exception {

  public GitSourceException(String message) {
    super(message);
  }

  public GitSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
