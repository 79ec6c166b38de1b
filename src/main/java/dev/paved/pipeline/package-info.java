/**
 * The pure core composed: config tree → load and validate → render → policies, as one
 * {@link dev.paved.pipeline.Evaluation} per revision. The PR-side commands, the apply
 * command and the daemon all evaluate a commit through here, so they agree on what a commit
 * means. {@link dev.paved.pipeline.EvaluationCache} memoizes evaluations by commit id.
 *
 * <p>May call: {@code source} (types), {@code config}, {@code desired}, {@code policy}.
 */
package dev.paved.pipeline;
