package dev.paved.policy;

import dev.paved.config.Diagnostic;
import dev.paved.config.Location;
import dev.paved.config.Severity;
import dev.paved.desired.ObjectKey;
import java.util.Comparator;

/**
 * A policy violation: which policy and rule, how severe ({@code error} when enforced,
 * {@code warning} when only reported), where (environment, service, object, config line),
 * and what to do about it.
 */
public record Finding(String policy, String rule, Severity severity, String environment, String service,
    ObjectKey object, Location location, String message) implements Comparable<Finding> {

  private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::location)
      .thenComparing(Finding::environment).thenComparing(Finding::policy).thenComparing(Finding::message);

  public boolean blocking() {
    return severity == Severity.ERROR;
  }

  /** As a diagnostic: {@code file:line:col: error: message [policy, environment]}. */
  public Diagnostic toDiagnostic() {
    return new Diagnostic(location, severity, "policy/" + rule, message + " [policy " + policy + ", environment "
        + environment + (object == null ? "" : ", " + object) + "]");
  }

  /** Identity of a finding across two revisions (line numbers may move). */
  public String identity() {
    return policy + "|" + environment + "|" + (object == null ? service : object.toString()) + "|" + message;
  }

  @Override
  public int compareTo(Finding o) {
    return ORDER.compare(this, o);
  }
}
