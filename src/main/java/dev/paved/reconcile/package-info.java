/**
 * Reconciliation: bringing one target (an environment on its cluster) to a commit's desired
 * state, once ({@link dev.paved.reconcile.TargetSync}: apply, prune with the guard, record the
 * inventory, wait for health) — exactly what {@code paved apply} runs and what the daemon runs
 * per target.
 *
 * <p>The daemon core ({@link dev.paved.reconcile.Daemon}) runs it continuously: per repo, fetch
 * and evaluate each new commit; per target, one reconcile at a time with newer requests coalesced
 * ({@link dev.paved.reconcile.LatestWins}), drift watched between reconciles, retries with backoff,
 * status and metrics.
 *
 * <p>May call: {@code apply}, {@code desired}, {@code config} (types); the daemon also
 * {@code pipeline} (evaluations) and {@code source} (git mirrors, reverts). Speaks plain values and
 * {@code CompletionStage}; knows nothing of Vert.x.
 */
package dev.paved.reconcile;
