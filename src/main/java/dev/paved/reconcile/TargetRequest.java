package dev.paved.reconcile;

import dev.paved.apply.IgnoreRules;
import dev.paved.apply.PruneGuard;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.config.Platform;
import dev.paved.desired.EnvironmentState;
import java.util.List;
import java.util.Set;

/**
 * What one reconcile of a target is asked to apply: a good commit's state of one environment, or
 * ({@code removed}) nothing at all, because the commit no longer has the environment; and its
 * platform (whose tenancy is checked again before the apply; null for a removal).
 * {@code revertAfter}: the environment's {@code onDegraded} (revert a rollout still degraded this
 * long after it was applied), empty when it does not opt in.
 */
record TargetRequest(String commit, EnvironmentState state, Cluster cluster, PruneGuard.Policy prune,
    DriftMode drift, IgnoreRules ignore, boolean removed, Platform platform,
    java.util.Optional<java.time.Duration> revertAfter) {

  TargetRequest(String commit, EnvironmentState state, Cluster cluster, PruneGuard.Policy prune, DriftMode drift,
      IgnoreRules ignore, Platform platform) {
    this(commit, state, cluster, prune, drift, ignore, false, platform, java.util.Optional.empty());
  }

  TargetRequest(String commit, EnvironmentState state, Cluster cluster, PruneGuard.Policy prune, DriftMode drift,
      IgnoreRules ignore, Platform platform, java.util.Optional<java.time.Duration> revertAfter) {
    this(commit, state, cluster, prune, drift, ignore, false, platform, revertAfter);
  }

  /**
   * The environment is gone from {@code commit}: every object its inventory records is pruned
   * when {@code prune} (protected kinds only when {@code allowedKinds} lists them; the share limit
   * does not apply: the whole environment is meant to go), else every deletion is held.
   */
  static TargetRequest removal(String commit, String environment, Cluster cluster, Set<String> allowedKinds,
      boolean prune) {
    PruneGuard.Policy policy = prune ? new PruneGuard.Policy(true, 100, allowedKinds, true)
        : new PruneGuard.Policy(false, 0, Set.of(), false);
    return new TargetRequest(commit, new EnvironmentState(environment, "", cluster.name(), List.of()), cluster,
        policy, DriftMode.REPORT, IgnoreRules.none(), true, null, java.util.Optional.empty());
  }
}
