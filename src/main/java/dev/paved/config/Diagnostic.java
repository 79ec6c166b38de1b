package dev.paved.config;

import dev.paved.secret.Scrubber;
import java.util.Comparator;

/**
 * A problem a user can fix, at a place in the config repo, with a plain sentence saying what
 * is wrong and what is expected. {@code code} is a stable identifier for tools
 * (e.g. {@code unknown-field}).
 */
public record Diagnostic(Location location, Severity severity, String code, String message)
    implements Comparable<Diagnostic> {

  private static final Comparator<Diagnostic> ORDER = Comparator.comparing(Diagnostic::location)
      .thenComparing(Diagnostic::severity).thenComparing(Diagnostic::message);

  /** The message has passed the secret scrubber (a schema error quotes the value it refuses). */
  public Diagnostic {
    message = Scrubber.scrub(message);
  }

  public static Diagnostic error(Location at, String code, String message) {
    return new Diagnostic(at, Severity.ERROR, code, message);
  }

  public static Diagnostic warning(Location at, String code, String message) {
    return new Diagnostic(at, Severity.WARNING, code, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public int compareTo(Diagnostic o) {
    return ORDER.compare(this, o);
  }

  /** {@code file:line:col: severity: message}, the format every Paved command prints. */
  @Override
  public String toString() {
    return location + ": " + severity.label() + ": " + message;
  }
}
