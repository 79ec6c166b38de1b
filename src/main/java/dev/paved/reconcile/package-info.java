/**
 * Reconciliation: bringing one target (an environment on its cluster) to a commit's desired
 * state, once ({@link dev.paved.reconcile.TargetSync}: apply, prune with the guard, record the
 * inventory, wait for health) — exactly what {@code paved apply} runs and what the daemon runs
 * per target.
 *
 * <p>The daemon core runs it continuously. {@link dev.paved.reconcile.Daemon}: lifecycle, its own
 * scheduler (polls each repo every {@code pollInterval}, full resync, health), the
 * {@link dev.paved.reconcile.DaemonApi} the HTTP edge calls, status. Per repo a
 * {@link dev.paved.reconcile.RepoWorker} (fetch and evaluate each new commit, history), its
 * {@link dev.paved.reconcile.RepoReverts} (the API's reverts, automatic rollbacks) and its
 * {@link dev.paved.reconcile.RepoTargets} (hand good commits to the targets of their
 * environments); per target a {@link dev.paved.reconcile.TargetWorker} (one reconcile at a time,
 * newer requests coalesced by {@link dev.paved.apply.LatestWins}, drift watched between
 * reconciles, failures and refused objects retried with backoff that a newer commit ends), whose
 * {@link dev.paved.reconcile.TargetReporter} tells each outcome to status, events, metrics and log.
 * An environment that leaves the repo is reconciled as a removal (nothing desired: its inventory
 * is pruned, or held).
 * Workers share one {@link dev.paved.reconcile.DaemonContext} (pools, retry policy, metrics, clock,
 * lifecycle) and never reach into the daemon.
 *
 * <p>Before a target moves to a commit, its {@link dev.paved.reconcile.HeadGate} may hold the move
 * (nothing written; status {@code HELD} with a typed reason): the
 * {@link dev.paved.reconcile.HistoryCheck} holds a commit that does not descend from the one the
 * target's in-cluster inventory records, until an operator accepts it or the repo allows rewrites.
 *
 * <p>A repo with {@code signatures.verify} checks each new head's signature first
 * ({@link dev.paved.reconcile.SignatureGate}): {@code enforce} holds an untrusted head like a
 * commit with errors.
 *
 * <p>HA ({@code ha:} in the daemon config): replicas share the targets through Kubernetes Leases.
 * {@link dev.paved.reconcile.TargetLeases} runs the acquire/renew/release rounds on the Lease verbs
 * of {@link dev.paved.reconcile.LeaseStore}; {@link dev.paved.reconcile.ReplicaMembers} announces
 * this replica (its member Lease); what a listing says (live replicas, expiry on the local clock) is
 * {@link dev.paved.reconcile.LeaseObservations}' and which targets to keep, take and give up the
 * pure {@link dev.paved.reconcile.LeaseShare}'s (neither does I/O). Every reconcile and inventory
 * write passes the {@link dev.paved.reconcile.TargetGate} first: the targets this replica holds
 * ({@link dev.paved.reconcile.HeldLeases}), always open with HA off.
 *
 * <p>Before applying, {@link dev.paved.reconcile.TargetSync} runs the tenancy check again ({@code
 * policy.Confinement}) with the kinds' scopes from the cluster's discovery.
 *
 * <p>May call: {@code apply}, {@code desired}, {@code config} (types), {@code policy} (the
 * confinement check); the daemon also {@code pipeline} (evaluations) and {@code source} (git
 * mirrors, reverts); {@code secret} (the scrubber). Speaks plain values and
 * {@code CompletionStage}; knows nothing of Vert.x.
 */
package dev.paved.reconcile;
