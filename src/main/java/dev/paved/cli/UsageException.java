package dev.paved.cli;

/** A user asked for something that does not exist (environment, revision, directory): exit 2. */
final class UsageException extends RuntimeException {

  UsageException(String message) {
    super(message, null, false, false);
  }
}
