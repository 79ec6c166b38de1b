package dev.paved.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Something the daemon did or saw that people want to be told about: a commit applied or
 * refused, a sync that failed, deletions held, drift, health changes, a rollback. Plain data:
 * the daemon hands events to a listener ({@link Listener}) and never waits for it. Holds no
 * secret (messages come from the same scrubbed texts as the status).
 *
 * @param environment null for repo-level events (a refused commit)
 * @param service null unless the event is about one service
 * @param team null unless known
 * @param details problems ({@code file:line:col: error: ...}) or objects, at most a few dozen
 */
public record DaemonEvent(Type type, Severity severity, String repo, String environment, String service,
    String team, String commit, String message, List<String> details, Instant at) {

  public DaemonEvent {
    details = details == null ? List.of() : List.copyOf(details.subList(0, Math.min(details.size(), 50)));
  }

  public enum Severity { INFO, WARNING, ERROR }

  /** What happened; {@link #id()} is the name used in the daemon config and payloads. */
  public enum Type {
    COMMIT_APPLIED, COMMIT_REFUSED, SYNC_FAILED, SYNC_PARTIAL, DELETIONS_HELD, DRIFT_DETECTED,
    DRIFT_CORRECTED, HEALTH_DEGRADED, HEALTH_RECOVERED, ROLLBACK_MADE,
    /** A target was not moved to a commit ({@link HeadGate}: e.g. a rewritten history); nothing applied. */
    COMMIT_HELD;

    /** {@code commitApplied}, {@code syncFailed}, ... */
    public String id() {
      String[] parts = name().toLowerCase(Locale.ROOT).split("_");
      StringBuilder b = new StringBuilder(parts[0]);
      for (int i = 1; i < parts.length; i++) {
        b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i], 1, parts[i].length());
      }
      return b.toString();
    }

    public static Type ofId(String id) {
      for (Type t : values()) {
        if (t.id().equals(id)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown event \"" + id + "\"");
    }
  }

  /** Receives events; must return at once (queue, never send inline). */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = e -> { };

    void on(DaemonEvent event);

    /** The state of the sinks behind this listener, for the status (none by default). */
    default List<DaemonStatus.Sink> sinks() {
      return List.of();
    }
  }
}
