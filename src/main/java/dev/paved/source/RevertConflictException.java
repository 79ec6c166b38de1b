package dev.paved.source;

import java.util.List;

/**
 * Reverting the commit conflicts with later changes on the branch; nothing was pushed.
 * {@link #paths()} lists the conflicting files (repo-relative).
 */
public class RevertConflictException extends GitSourceException {

  private final List<String> paths;

  public RevertConflictException(String message, List<String> paths) {
    super(message);
    this.paths = List.copyOf(paths);
  }

  /** The files that conflict, repo-relative, sorted. */
  public List<String> paths() {
    return paths;
  }
}
