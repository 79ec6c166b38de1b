/**
 * Reconciliation: bringing one target (an environment on its cluster) to a commit's desired
 * state, once ({@link dev.paved.reconcile.TargetSync}: apply, prune with the guard, record the
 * inventory, wait for health) — exactly what {@code paved apply} runs and what the daemon runs
 * per target.
 *
 * <p>May call: {@code apply}, {@code desired}, {@code config} (types). Speaks plain values and
 * {@code CompletionStage}; knows nothing of Vert.x.
 */
package dev.paved.reconcile;
