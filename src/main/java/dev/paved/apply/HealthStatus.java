package dev.paved.apply;

import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The health of one object (from {@link Health#assess}) or of a set of objects (from {@link
 * #aggregate}): a state and a plain sentence saying why, for the status API and the CLI.
 */
public record HealthStatus(State state, String message) {

  /** Health states, from Argo CD's vocabulary. Severity (for aggregation) is not enum order. */
  public enum State {
    /** At rest and doing what it was declared to do; also deliberately suspended or paused. */
    HEALTHY(0),
    /** Moving towards healthy: a controller has not caught up yet, a rollout is under way. */
    PROGRESSING(2),
    /** Failed or stuck and will not recover by itself: deadline exceeded, Job failed, volume lost. */
    DEGRADED(4),
    /** Declared but absent from the cluster. */
    MISSING(3),
    /** The object does not say enough to tell (e.g. a Pod whose node stopped reporting). */
    UNKNOWN(1);

    private final int severity;

    State(int severity) {
      this.severity = severity;
    }

    /** Higher is worse: DEGRADED > MISSING > PROGRESSING > UNKNOWN > HEALTHY. */
    public int severity() {
      return severity;
    }

    /** Whether this state is worse than {@code other}. */
    public boolean worseThan(State other) {
      return severity > other.severity;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public HealthStatus {
    Objects.requireNonNull(state, "state");
    message = message == null ? "" : message;
  }

  public static HealthStatus healthy(String message) {
    return new HealthStatus(State.HEALTHY, message);
  }

  public static HealthStatus progressing(String message) {
    return new HealthStatus(State.PROGRESSING, message);
  }

  public static HealthStatus degraded(String message) {
    return new HealthStatus(State.DEGRADED, message);
  }

  public static HealthStatus missing(String message) {
    return new HealthStatus(State.MISSING, message);
  }

  public static HealthStatus unknown(String message) {
    return new HealthStatus(State.UNKNOWN, message);
  }

  public boolean isHealthy() {
    return state == State.HEALTHY;
  }

  /**
   * The health of a set of objects (e.g. a target): the worst state wins, DEGRADED > MISSING >
   * PROGRESSING > UNKNOWN > HEALTHY; an empty set is HEALTHY. The message counts the objects in
   * the worst state and repeats the first such object's message, e.g. {@code "2 of 5 objects
   * progressing: 1 of 2 replicas updated."}.
   */
  public static HealthStatus aggregate(Collection<HealthStatus> statuses) {
    if (statuses.isEmpty()) {
      return healthy("Nothing to check.");
    }
    HealthStatus worst = statuses.stream()
        .max(Comparator.comparingInt((HealthStatus s) -> s.state().severity()))
        .orElseThrow();
    Map<State, Integer> counts = new EnumMap<>(State.class);
    statuses.forEach(s -> counts.merge(s.state(), 1, Integer::sum));
    int total = statuses.size();
    int n = counts.get(worst.state());
    String objects = total == 1 ? "object" : "objects";
    if (worst.state() == State.HEALTHY) {
      return healthy(total == 1 ? "The object is healthy." : "All " + total + " objects are healthy.");
    }
    // First in iteration order among the worst, so a caller's ordering decides which is quoted.
    HealthStatus first = statuses.stream().filter(s -> s.state() == worst.state()).findFirst().orElseThrow();
    String head = n + " of " + total + " " + objects + " " + worst.state().label();
    return new HealthStatus(worst.state(), first.message().isEmpty() ? head + "." : head + ": " + first.message());
  }

  @Override
  public String toString() {
    return state.label() + (message.isEmpty() ? "" : ": " + message);
  }
}
