package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} drift corrections of one object per sliding minute: past that, another
 * controller is fighting over a field, and correcting again would only feed the fight.
 */
final class CorrectionLimit {

  private final Clock clock;
  private final int max;
  private final Map<ObjectKey, Deque<Instant>> corrections = new ConcurrentHashMap<>();

  CorrectionLimit(Clock clock, int max) {
    this.clock = clock;
    this.max = max;
  }

  int max() {
    return max;
  }

  /** Whether {@code key} may be corrected now; if so, the correction is counted. */
  boolean allow(ObjectKey key) {
    Instant now = clock.instant();
    Deque<Instant> times = corrections.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(Duration.ofMinutes(1)))) {
        times.pollFirst();
      }
      if (times.size() >= max) {
        return false;
      }
      times.addLast(now);
      return true;
    }
  }

  /** Forgets objects no longer watched. */
  void retain(java.util.Set<ObjectKey> keys) {
    corrections.keySet().retainAll(keys);
  }
}
