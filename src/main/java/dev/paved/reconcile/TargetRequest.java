package dev.paved.reconcile;

import dev.paved.apply.IgnoreRules;
import dev.paved.apply.PruneGuard;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.desired.EnvironmentState;

/** What one reconcile of a target is asked to apply: a good commit's state of one environment. */
record TargetRequest(String commit, EnvironmentState state, Cluster cluster, PruneGuard.Policy prune,
    DriftMode drift, IgnoreRules ignore) {}
