package dev.paved.source;

/** A revert that cannot be made as asked: a merge commit without a mainline, a root commit, a commit whose changes are already undone, a branch checked out in the remote's working tree. Nothing was pushed. */
public class RevertRefusedException extends GitSourceException {

  public RevertRefusedException(String message) {
    super(message);
  }

  public RevertRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
