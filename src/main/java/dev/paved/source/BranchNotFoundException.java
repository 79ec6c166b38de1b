package dev.paved.source;

/** The remote has no such branch. */
public class BranchNotFoundException extends GitSourceException {

  public BranchNotFoundException(String message) {
    super(message);
  }

  public BranchNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
