package dev.paved.source;

/** The remote could not be reached or is not a git repository (network, DNS, timeout, path missing); worth retrying later. */
public class RemoteUnreachableException extends GitSourceException {

  public RemoteUnreachableException(String message) {
    super(message);
  }

  public RemoteUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
