/**
 * Rendering: from a valid {@link dev.paved.config.Platform} and a commit id to the desired
 * state, the plain Kubernetes objects per environment ({@link dev.paved.desired.DesiredState}).
 *
 * <p>Pure and deterministic: the same input gives byte-identical YAML. {@link
 * dev.paved.desired.Renderer} is the one place where a field of {@code service.yaml} becomes
 * a field of a Kubernetes object; objects are built as Jackson trees; {@link
 * dev.paved.desired.TeamRbac} renders the RoleBindings (and, for a team's cluster-scoped kinds,
 * the ClusterRoles and ClusterRoleBindings) that let Paved write each team's objects as the team. A render may take the unchanged pairs (environment, service) of an earlier one
 * ({@link dev.paved.desired.Pieces}): the same workloads, and objects sharing every node but
 * the commit annotation. Work is spread over the
 * {@link dev.paved.config.Workers} the caller gives. May call: {@code config}, Jackson (trees
 * and YAML output), Fabric8's {@code KubernetesSerialization} (conversions between its typed
 * model and trees in {@link dev.paved.desired.Manifests}; never a client).
 */
package dev.paved.desired;
