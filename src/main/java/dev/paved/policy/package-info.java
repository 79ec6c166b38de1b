/**
 * Policies: the built-in rules evaluated over a desired state (and the merged workloads
 * where a rule needs the declared model), returning {@link dev.paved.policy.Finding}s with
 * the config line that caused each one.
 *
 * <p>Pure: the same evaluator runs on a pull request ({@code paved validate}, {@code paved
 * diff}), before an apply, and in the daemon. May call: {@code config}, {@code desired}.
 */
package dev.paved.policy;
