package dev.paved.reconcile;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The targets this replica holds, and the {@link TargetGate} over them: per target its Lease as
 * last written, when that renewal was sent (monotonic clock) and how many reconciles run on it. A
 * held target is open to reconciles only while fresh, renewed within {@code renewDeadline} (shorter
 * than the lease duration, so a replica stops before another may take the Lease over); one a
 * reconcile runs on is not given up. Thread-safe: the lease thread writes, the workers enter.
 */
final class HeldLeases implements TargetGate {

  /** Giving a target up: {@code lease} as last written when it was given up; none when not held or {@code busy}. */
  record Release(Lease lease, boolean busy) {}

  private static final class Held {
    Lease lease;
    long renewedAt;
    int busy;

    Held(Lease lease, long renewedAt) {
      this.lease = lease;
      this.renewedAt = renewedAt;
    }
  }

  private final long renewDeadlineNanos;
  private final Map<String, Held> held = new HashMap<>(); // guarded by `this`

  HeldLeases(Duration renewDeadline) {
    this.renewDeadlineNanos = renewDeadline.toNanos();
  }

  // ------------------------------------------------------------------ the gate

  @Override
  public synchronized boolean enter(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    if (h == null || !fresh(h, System.nanoTime())) {
      return false;
    }
    h.busy++;
    return true;
  }

  @Override
  public synchronized void exit(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    if (h != null && h.busy > 0) {
      h.busy--;
    }
  }

  @Override
  public synchronized boolean holds(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    return h != null && fresh(h, System.nanoTime());
  }

  private boolean fresh(Held h, long now) {
    return now - h.renewedAt < renewDeadlineNanos;
  }

  // ------------------------------------------------------------------ the lease thread's

  synchronized int size() {
    return held.size();
  }

  /** The targets held ({@link TargetGate#key}), sorted. */
  synchronized Set<String> keys() {
    return new TreeSet<>(held.keySet());
  }

  /** The target's Lease as last written; null when not held. */
  synchronized Lease lease(String key) {
    Held h = held.get(key);
    return h == null ? null : h.lease;
  }

  /** Now held: {@code lease} as written, its renewal sent at {@code sentAt}. */
  synchronized void add(String key, Lease lease, long sentAt) {
    held.put(key, new Held(lease, sentAt));
  }

  /** Renewed (if still held): {@code written}, sent at {@code sentAt}. */
  synchronized void renewed(String key, Lease written, long sentAt) {
    Held h = held.get(key);
    if (h != null) {
      h.lease = written;
      h.renewedAt = sentAt;
    }
  }

  /** Gives the target up, unless a reconcile runs on it (then it stays held). */
  synchronized Release release(String key) {
    Held h = held.get(key);
    if (h == null || h.busy > 0) {
      return new Release(null, h != null);
    }
    held.remove(key);
    return new Release(h.lease, false);
  }

  /** No longer held (lost); false when it was not. */
  synchronized boolean remove(String key) {
    return held.remove(key) != null;
  }

  /** The targets not renewed within the renew deadline at {@code now}, sorted. */
  synchronized Set<String> stale(long now) {
    Set<String> stale = new TreeSet<>();
    held.forEach((k, h) -> {
      if (!fresh(h, now)) {
        stale.add(k);
      }
    });
    return stale;
  }

  /** Gives every target up at once: their Leases as last written, by target. */
  synchronized Map<String, Lease> clear() {
    Map<String, Lease> left = new TreeMap<>();
    held.forEach((k, h) -> left.put(k, h.lease));
    held.clear();
    return left;
  }
}
