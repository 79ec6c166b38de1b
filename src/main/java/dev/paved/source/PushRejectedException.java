package dev.paved.source;

/** The remote refused the push: the branch moved again after a retry, the review branch already exists, or a hook or protection rule refused it. Nothing was changed on the remote. */
public class PushRejectedException extends GitSourceException {

  public PushRejectedException(String message) {
    super(message);
  }

  public PushRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
