package dev.paved.source;

/** The remote refused the credentials, or the configured credentials (environment variable, file, ssh key) are missing; the message names where they come from, never their value. */
public class AuthenticationFailedException extends GitSourceException {

  public AuthenticationFailedException(String message) {
    super(message);
  }

  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
