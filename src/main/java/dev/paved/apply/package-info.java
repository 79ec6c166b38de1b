/**
 * The cluster engine's I/O shell, modelled on Flux's {@code ssa.ResourceManager}: one noun per
 * outside system, verbs with typed results. {@link dev.paved.apply.ResourceManager} applies
 * (server-side apply, field manager {@code paved}, staged, minimal), diffs (server-side
 * dry-run) and deletes (only what Paved owns): it stages and runs the applies, {@link
 * dev.paved.apply.ObjectDiffer} decides what applying one object would do, {@link
 * dev.paved.apply.Pruner} deletes, {@link dev.paved.apply.ServerSideApply} builds the requests.
 * {@link dev.paved.apply.InventoryStore} keeps in the cluster what Paved applied per target
 * (laid out by {@link dev.paved.apply.InventoryIndex} in ConfigMaps, written crash-safe by {@link
 * dev.paved.apply.InventoryWriter}). Results are data: a
 * {@link dev.paved.apply.ChangeSet} of {@code Kind/namespace/name → action}. Each team's objects
 * are written as the team's identity ({@link dev.paved.apply.Writers}, impersonation), the
 * environment's own as Paved; {@link dev.paved.apply.Discovery} tells kinds' scopes as the cluster
 * serves them; {@link dev.paved.apply.TeamRole} is the ClusterRole the teams are bound to.
 *
 * <p>{@link dev.paved.apply.DriftWatcher} keeps a target equal to git between syncs, one check
 * per object at a time through {@link dev.paved.apply.LatestWins} (the latest-wins slot the
 * daemon also uses per target); each check asks {@link dev.paved.apply.DriftDetector} whether the
 * object drifted (compared, confirmed by a dry run, attributed), then corrects or reports it.
 *
 * <p>The decisions are pure and live beside it: {@link dev.paved.apply.Comparison} (does the
 * live object already hold what we declare?), {@link dev.paved.apply.IgnoreRules} (what is not
 * drift), {@link dev.paved.apply.DriftAttribution} (who changed it),
 * {@link dev.paved.apply.Owner} (whose is an existing object: this repo's and environment's,
 * adoptable, or a conflict?), {@link dev.paved.apply.PruneGuard} (what may be deleted), {@link dev.paved.apply.Health} (is it
 * healthy?). May call: {@code desired},
 * {@code config} (types), {@code secret} (the scrubber), Fabric8's client. Never called by the
 * pure core.
 */
package dev.paved.apply;
