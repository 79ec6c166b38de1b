package dev.paved.reconcile;

import dev.paved.apply.Health;
import dev.paved.apply.HealthStatus;
import dev.paved.apply.LiveState;
import dev.paved.desired.ObjectKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Waits until a target's objects are healthy ({@link Health#assess} of each live object), or a
 * timeout passes, polling the live state. The result holds each object's last health and the
 * target's aggregate.
 */
public final class HealthWait {

  /** Each object's health at the end of the wait, and the target's. */
  public record Result(Map<ObjectKey, HealthStatus> objects, HealthStatus target, boolean timedOut) {
    public boolean healthy() {
      return target.isHealthy();
    }
  }

  private HealthWait() {}

  public static Result await(List<ObjectKey> keys, LiveState live, Duration timeout, Duration interval)
      throws InterruptedException {
    return await(keys, live, timeout, interval, System::nanoTime);
  }

  static Result await(List<ObjectKey> keys, LiveState live, Duration timeout, Duration interval, LongSupplier nanos)
      throws InterruptedException {
    long deadline = nanos.getAsLong() + timeout.toNanos();
    while (true) {
      Map<ObjectKey, HealthStatus> now = assess(keys, live);
      HealthStatus target = HealthStatus.aggregate(new ArrayList<>(now.values()));
      if (target.isHealthy()) {
        return new Result(now, target, false);
      }
      long left = deadline - nanos.getAsLong();
      if (left <= 0) {
        return new Result(now, target, true);
      }
      Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
    }
  }

  /** The health of each object now (MISSING when absent). */
  /** An object's health as assessed at a resourceVersion of it. */
  record Assessed(String resourceVersion, HealthStatus health) {}

  /**
   * {@link #assess(List, LiveState)}, reading and assessing again only the objects whose
   * resourceVersion moved since {@code before} (health depends on the object alone); what was
   * assessed is put in {@code after}, for the next time. A watch cache answers a resourceVersion
   * without parsing the object: a target of 40,000 unchanged objects costs no parse.
   */
  static Map<ObjectKey, HealthStatus> assess(List<ObjectKey> keys, LiveState live, Map<ObjectKey, Assessed> before,
      Map<ObjectKey, Assessed> after) {
    Map<ObjectKey, HealthStatus> out = new LinkedHashMap<>();
    for (ObjectKey k : keys) {
      String rv = live.resourceVersion(k).orElse(null);
      Assessed known = before.get(k);
      if (rv == null) {
        out.put(k, Health.assess(null));
        continue;
      }
      if (known == null || !rv.equals(known.resourceVersion())) {
        com.fasterxml.jackson.databind.JsonNode object = live.get(k).orElse(null);
        known = new Assessed(object == null ? "" : object.path("metadata").path("resourceVersion").asText(""),
            Health.assess(object));
      }
      after.put(k, known);
      out.put(k, known.health());
    }
    return out;
  }

  public static Map<ObjectKey, HealthStatus> assess(List<ObjectKey> keys, LiveState live) {
    Map<ObjectKey, HealthStatus> out = new LinkedHashMap<>();
    for (ObjectKey k : keys) {
      out.put(k, Health.assess(live.get(k).orElse(null)));
    }
    return out;
  }
}
