package dev.paved.reconcile;

import dev.paved.reconcile.DaemonStatus.SyncState;
import dev.paved.secret.Scrubber;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A target's state as the replica holding its Lease knows it (HA), carried on the target's Lease
 * as annotations ({@code paved.dev/report-*}) that the holder rewrites at each renewal (every
 * {@code retryPeriod}: no write of its own). The other replicas read them when they list the
 * Leases, and their status shows this report for the targets they do not hold, never their own
 * memory of a target they no longer work on. A released Lease keeps its last holder's report.
 *
 * <p>Small and bounded whatever the target's size (a Lease is written every {@code retryPeriod}):
 * the applied commit, sync, health with its message, last sync and last error (scrubbed, and cut
 * at {@link #MAX_TEXT} characters); not the drift nor the per-service states.
 */
record HolderReport(String replica, Instant at, SyncState sync, Optional<String> commit, String health,
    String healthMessage, Optional<Instant> lastSync, Optional<String> lastError) {

  static final String PREFIX = "paved.dev/report-";
  static final String BY = PREFIX + "by";
  static final String AT = PREFIX + "at";
  static final String SYNC = PREFIX + "sync";
  static final String COMMIT = PREFIX + "commit";
  static final String HEALTH = PREFIX + "health";
  static final String HEALTH_MESSAGE = PREFIX + "health-message";
  static final String LAST_SYNC = PREFIX + "last-sync";
  static final String LAST_ERROR = PREFIX + "last-error";
  /** The longest health message or error a report carries. */
  static final int MAX_TEXT = 500;

  HolderReport {
    healthMessage = cut(Scrubber.scrub(healthMessage == null ? "" : healthMessage));
    lastError = lastError.map(Scrubber::scrub).map(HolderReport::cut);
  }

  /** What {@code replica} knows of its target {@code t} at {@code at}. */
  static HolderReport of(String replica, DaemonStatus.Target t, Instant at) {
    return new HolderReport(replica, at, t.sync(), t.appliedCommit(), t.health(), t.healthMessage(), t.lastSync(),
        t.lastError());
  }

  /** The annotations that carry it (every key of {@link #PREFIX}: a key absent here is removed from the Lease). */
  Map<String, String> annotations() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(BY, replica);
    a.put(AT, at.toString());
    a.put(SYNC, sync.name());
    a.put(COMMIT, commit.orElse(""));
    a.put(HEALTH, health);
    a.put(HEALTH_MESSAGE, healthMessage);
    a.put(LAST_SYNC, lastSync.map(Instant::toString).orElse(""));
    a.put(LAST_ERROR, lastError.orElse(""));
    return a;
  }

  /**
   * The report in a Lease's annotations; empty when there is none, or it is not whole or not
   * understood (written by another version): the status then says it does not know.
   */
  static Optional<HolderReport> parse(Map<String, String> annotations) {
    if (annotations == null) {
      return Optional.empty();
    }
    String by = annotations.getOrDefault(BY, "");
    if (by.isEmpty() || !annotations.containsKey(HEALTH)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new HolderReport(by, Instant.parse(annotations.getOrDefault(AT, "")),
          SyncState.valueOf(annotations.getOrDefault(SYNC, "")), text(annotations, COMMIT),
          annotations.get(HEALTH), annotations.getOrDefault(HEALTH_MESSAGE, ""),
          text(annotations, LAST_SYNC).map(Instant::parse), text(annotations, LAST_ERROR)));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(Map<String, String> annotations, String key) {
    return Optional.ofNullable(annotations.get(key)).filter(s -> !s.isEmpty());
  }

  private static String cut(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
  }
}
