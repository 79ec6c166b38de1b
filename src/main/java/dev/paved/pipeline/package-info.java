/**
 * The pure core composed: config tree → load and validate → render → policies, as one
 * {@link dev.paved.pipeline.Evaluation} per revision. The PR-side commands, the apply
 * command and the daemon all evaluate a commit through here, so they agree on what a commit
 * means. {@link dev.paved.pipeline.EvaluationCache} memoizes evaluations by commit id, by count
 * or by weight. An evaluation may start from an earlier one ({@link
 * dev.paved.pipeline.Evaluator#evaluate(dev.paved.source.ConfigTree, dev.paved.pipeline.Evaluation,
 * dev.paved.config.Workers)}): it keeps a {@link dev.paved.pipeline.Memo} of what it read and
 * rendered, and the next one recomputes only what the change can affect, with the same result
 * as from scratch (the rules are on {@code Evaluator}). The
 * caller gives the {@link dev.paved.config.Workers} an evaluation runs on (the CLI's
 * {@code Main.coreWorkers()}, the daemon's own); without them it runs on the caller's thread.
 *
 * <p>May call: {@code source} (types), {@code config}, {@code desired}, {@code policy}, Caffeine.
 */
package dev.paved.pipeline;
