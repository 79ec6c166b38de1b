package dev.paved.source;

/** The commit's changes are already undone on the branch (reverted before?); nothing was pushed. */
public class NothingToRevertException extends RevertRefusedException {

  public NothingToRevertException(String message) {
    super(message);
  }
}
