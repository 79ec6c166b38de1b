package dev.paved.reconcile;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's meters, named for Prometheus ({@code paved_} prefix; Micrometer adds the
 * {@code _seconds} and {@code _total} suffixes). Tags: {@code repo}, and {@code environment}
 * for per-target meters. The README's "Metrics" section lists them.
 */
final class DaemonMetrics {

  /** Histogram buckets of a reconcile: a no-op takes milliseconds, a large first sync minutes. */
  private static final Duration[] BUCKETS = java.util.stream.Stream.of(50L, 100L, 250L, 500L, 1_000L, 2_500L, 5_000L,
      10_000L, 30_000L, 60_000L, 120_000L, 300_000L).map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> violations = new ConcurrentHashMap<>();

  DaemonMetrics(MeterRegistry registry, String version) {
    this.registry = registry;
    Gauge.builder("paved.build.info", () -> 1).description("Paved's version (value always 1)")
        .tag("version", version).register(registry);
  }

  /** One reconcile of a target took {@code took}; {@code outcome}: synced, partial, held or failed. */
  void reconciled(String repo, String environment, Duration took, String outcome) {
    Timer.builder("paved.reconcile.duration").description("Duration of one reconcile of one target")
        .tags("repo", repo, "environment", environment).serviceLevelObjectives(BUCKETS)
        .register(registry).record(took);
    if (outcome.equals("failed")) {
      counter("paved.reconcile.errors", "Reconciles stopped by a failure outside Paved (cluster unreachable...)",
          repo, environment).increment();
    }
  }

  /** The apiserver refused to store a target's inventory (the reconcile stopped, not retried). */
  void inventoryRefused(String repo, String environment) {
    counter("paved.inventory.refused", "Inventory writes the apiserver refused (the reconcile stopped)", repo,
        environment).increment();
  }

  /** Counts a sync's applied (created or configured), pruned and failed objects. */
  void changes(String repo, String environment, ChangeSet changes) {
    long applied = changes.count(Action.CREATED) + changes.count(Action.CONFIGURED) + changes.count(Action.ADOPTED);
    counter("paved.objects.applied", "Objects created or changed by reconciles", repo, environment)
        .increment(applied);
    counter("paved.objects.pruned", "Objects deleted because git no longer declares them", repo, environment)
        .increment(changes.count(Action.DELETED));
    counter("paved.objects.failed", "Objects the apiserver refused during reconciles", repo, environment)
        .increment(changes.count(Action.FAILED));
  }

  void lastSuccess(String repo, String environment, Instant at) {
    lastSuccess.computeIfAbsent(repo + "\0" + environment, k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("paved.last.successful.sync.timestamp.seconds", holder, h -> h.get() / 1000.0)
          .description("When the target was last fully synced (Unix time)")
          .tags("repo", repo, "environment", environment).register(registry);
      return holder;
    }).set(at.toEpochMilli());
  }

  /** A head commit's signature was verified: {@code result} trusted, untrusted, unsigned or bad. */
  void commitSignature(String repo, String result) {
    registry.counter("paved.commit.signatures", "repo", repo, "result", result).increment();
  }

  void driftDetected(String repo, String environment) {
    counter("paved.drift.detected", "Managed objects seen drifted from git", repo, environment).increment();
  }

  void driftCorrected(String repo, String environment) {
    counter("paved.drift.corrected", "Drifted objects re-applied from git", repo, environment).increment();
  }

  /**
   * A target's new commit does not descend from the one applied to it (a rewritten history):
   * {@code outcome} {@code held} (nothing applied) or {@code allowed} ({@code allowHistoryRewrite}).
   */
  void historyRewrite(String repo, String environment, String outcome) {
    Counter.builder("paved.history.rewrites").description("Commits seen that do not descend from the commit applied"
        + " to a target (held, or applied because the repo allows rewrites)")
        .tags("repo", repo, "environment", environment, "outcome", outcome).register(registry).increment();
  }

  void fetchError(String repo) {
    Counter.builder("paved.git.fetch.errors").description("Failed fetches of a config repo")
        .tag("repo", repo).register(registry).increment();
  }

  /** The enforced policy violations of the repo's newest evaluated commit. */
  void violations(String repo, long count) {
    violations.computeIfAbsent(repo, k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("paved.policy.violations", holder, AtomicLong::get)
          .description("Enforced policy violations in the newest commit of the repo").tag("repo", repo)
          .register(registry);
      return holder;
    }).set(count);
  }

  // ------------------------------------------------------------------ HA (Leases)

  private final AtomicLong replicas = new AtomicLong();

  /** The number of targets whose Lease this replica holds, read when scraped. */
  void leasesHeld(java.util.function.Supplier<Number> held) {
    Gauge.builder("paved.lease.held", held, h -> h.get().doubleValue())
        .description("Targets whose Lease this replica holds (HA)").register(registry);
    Gauge.builder("paved.lease.replicas", replicas, AtomicLong::get)
        .description("Live replicas seen by this one (unexpired member Leases, itself included)").register(registry);
  }

  void replicas(int live) {
    replicas.set(live);
  }

  void leaseAcquired(String repo, String environment) {
    counter("paved.lease.acquired", "Target Leases this replica took (HA)", repo, environment).increment();
  }

  /** A held Lease lost: not renewed within the renew deadline, or taken over. */
  void leaseLost(String repo, String environment) {
    counter("paved.lease.lost", "Target Leases this replica lost: not renewed in time, or taken over (HA)", repo,
        environment).increment();
  }

  /** A held Lease given up on purpose: over the fair share, no longer a target, or at shutdown. */
  void leaseReleased(String repo, String environment) {
    counter("paved.lease.released", "Target Leases this replica gave up: fair share, removed target (HA)", repo,
        environment).increment();
  }

  private Counter counter(String name, String description, String repo, String environment) {
    return Counter.builder(name).description(description).tags("repo", repo, "environment", environment)
        .register(registry);
  }
}
