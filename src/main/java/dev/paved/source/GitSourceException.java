package dev.paved.source;

import dev.paved.secret.Scrubber;

/**
 * A git operation of Paved failed: unknown revision, not a repository, unreadable objects. The
 * message has passed the {@link Scrubber}.
 */
public class GitSourceException extends Exception {

  public GitSourceException(String message) {
    super(Scrubber.scrub(message));
  }

  public GitSourceException(String message, Throwable cause) {
    super(Scrubber.scrub(message), cause);
  }
}
