package dev.paved.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds (no fixed sleeps in tests). */
public final class Await {

  private static final Duration DEFAULT = Duration.ofSeconds(20);
  private static final long POLL_MILLIS = 20;

  private Await() {}

  /** Waits up to 20 s for {@code condition}. */
  public static void await(String what, BooleanSupplier condition) {
    await(DEFAULT, what, condition);
  }

  /**
   * Waits until {@code condition} holds, polling every 20 ms; fails with {@code what} after
   * {@code timeout}. A condition that throws counts as not holding yet; the last exception is the
   * failure's cause.
   */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what, last);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      }
    }
  }

  /** Waits until {@code supplier} returns a non-null value, and returns it. */
  public static <T> T awaitValue(String what, Supplier<T> supplier) {
    Object[] box = new Object[1];
    await(DEFAULT, what, () -> (box[0] = supplier.get()) != null);
    @SuppressWarnings("unchecked")
    T value = (T) box[0];
    return value;
  }
}
