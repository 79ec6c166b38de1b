/**
 * Policies: the built-in rules evaluated over a desired state (and the merged workloads
 * where a rule needs the declared model), returning {@link dev.paved.policy.Finding}s with
 * the config line that caused each one; and tenancy's built-in confinement
 * ({@link dev.paved.policy.Confinement}: a team's objects stay within what its team file
 * grants), which no platform can leave out, and which the apply side runs again with the
 * cluster's discovery.
 *
 * <p>Pure: the same evaluator runs on a pull request ({@code paved validate}, {@code paved
 * diff}), before an apply, and in the daemon. May call: {@code config}, {@code desired}.
 */
package dev.paved.policy;
