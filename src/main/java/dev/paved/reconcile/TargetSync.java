package dev.paved.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.PruneGuard;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Platform;
import dev.paved.policy.Confinement;
import dev.paved.policy.Finding;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One reconciliation of one target: apply the desired objects, prune what the previous
 * inventory holds and the commit no longer declares (through the {@link PruneGuard}), record
 * the new inventory. An unreadable inventory stops the prune (never read as "nothing owned");
 * held deletions stay in the inventory so they are not forgotten.
 */
public final class TargetSync {

  private static final Logger LOG = LoggerFactory.getLogger(TargetSync.class);

  /**
   * Options of a sync. {@code confine}: the platform whose tenancy ({@link Confinement}) is
   * checked again before anything is applied, with the kinds' scopes from the cluster's
   * discovery; null skips that check (tests that bypass Paved's own checks on purpose).
   */
  public record Options(boolean dryRun, ResourceManager.Options apply, Platform confine) {
    public Options(boolean dryRun, ResourceManager.Options apply) {
      this(dryRun, apply, null);
    }

    public static Options defaults() {
      return new Options(false, ResourceManager.Options.defaults());
    }

    public Options confining(Platform platform) {
      return new Options(dryRun, apply, platform);
    }
  }

  /**
   * The outcome: every object's action, and the error that stopped the sync, if any; {@code
   * refused} when the apiserver refused a write of Paved's own (the inventory) that sending
   * again cannot fix: a target error, not to be retried until something changes.
   */
  public record Result(String environment, String commit, ChangeSet changes, Optional<String> error,
      boolean refused) {

    public Result(String environment, String commit, ChangeSet changes, Optional<String> error) {
      this(environment, commit, changes, error, false);
    }

    /** True when everything was applied and nothing failed or is held. */
    public boolean synced() {
      return error.isEmpty() && !changes.partial() && changes.count(Action.HELD) == 0;
    }
  }

  private TargetSync() {}

  /** The prune policy an environment declares ({@code prune:} in its file). */
  public static PruneGuard.Policy prunePolicy(Environment env) {
    JsonNode p = env.document().tree().path("prune");
    Set<String> kinds = new HashSet<>();
    p.path("allowKinds").forEach(k -> kinds.add(k.asText()));
    return new PruneGuard.Policy(p.path("enabled").asBoolean(true), p.path("maxDeletePercent").asInt(50), kinds,
        p.path("allowMassDeletion").asBoolean(false));
  }

  /**
   * The objects {@link Confinement} refuses now that the cluster can say which kinds are
   * cluster-scoped (its discovery; offline knowledge for kinds it does not serve), as failures.
   */
  static ChangeSet confinement(EnvironmentState state, ResourceManager manager, Platform platform) {
    if (platform == null) {
      return ChangeSet.empty();
    }
    Confinement.Scopes offline = Confinement.Scopes.offline(platform.kinds());
    Confinement.Scopes scopes = (apiVersion, kind) -> manager.discovery().namespaced(apiVersion, kind)
        .map(namespaced -> !namespaced).or(() -> offline.clusterScoped(apiVersion, kind));
    java.util.Map<ObjectKey, String> reasons = new java.util.TreeMap<>();
    for (Finding f : Confinement.check(platform, state, scopes)) {
      reasons.merge(f.object(), f.message(), (a, b) -> a + "; " + b);
    }
    List<ChangeSet.Entry> out = new java.util.ArrayList<>();
    reasons.forEach((k, m) -> out.add(new ChangeSet.Entry(k, Action.FAILED, "refused by tenancy before apply, "
        + "nothing written: " + m)));
    return new ChangeSet(out);
  }

  public static Result run(EnvironmentState state, PruneGuard.Policy prune, String commit, ResourceManager manager,
      InventoryStore inventories, Options options) {
    MDC.put("target", state.environment());
    MDC.put("commit", commit);
    try {
      Optional<Inventory> previous;
      try {
        previous = inventories.read(state.environment());
      } catch (KubernetesClientException | IllegalArgumentException | InventoryStore.InventoryException e) {
        // Unreachable, or unreadable (a malformed record, a missing shard): never taken for "nothing owned".
        return new Result(state.environment(), commit, ChangeSet.empty(), Optional.of(
            "cannot read the inventory of " + state.environment() + " (nothing was applied or pruned): "
                + e.getMessage()));
      }
      Set<ObjectKey> desired = new java.util.HashSet<>();
      state.objects().forEach(o -> desired.add(o.key()));
      // Refused objects stay in the desired set: never pruned for being refused.
      ChangeSet refused = confinement(state, manager, options.confine());
      Set<ObjectKey> refusedKeys = new java.util.HashSet<>();
      refused.entries().forEach(e -> refusedKeys.add(e.key()));
      List<DesiredObject> objects = state.objects().stream().filter(o -> !refusedKeys.contains(o.key())).toList();
      Set<ObjectKey> owned = previous.map(Inventory::objects).orElse(Set.of());
      if (!options.dryRun() && !owned.containsAll(desired)) {
        // Record what is about to be created before creating it: if this sync dies half-way,
        // the next one still knows the new objects are Paved's and can prune them later.
        Set<ObjectKey> union = new TreeSet<>(owned);
        union.addAll(desired);
        inventories.write(new Inventory(state.environment(),
            previous.map(Inventory::commit).orElse(commit), union));
      }
      manager.actAs(state.identities());
      ChangeSet applied = manager.apply(objects, options.apply().withDryRun(options.dryRun())).plus(refused);
      PruneGuard.Decision decision = PruneGuard.decide(owned, desired, prune);
      ChangeSet pruned = manager.delete(decision.delete(), state.environment(), options.dryRun());
      ChangeSet all = applied.plus(pruned).plus(decision.held());
      if (!options.dryRun()) {
        Set<ObjectKey> record = new TreeSet<>(desired);
        decision.held().entries().forEach(e -> record.add(e.key()));
        // Objects whose deletion failed stay recorded, to be retried at the next sync.
        pruned.of(Action.FAILED).forEach(e -> record.add(e.key()));
        // An object in conflict is not this target's: not recorded, unless it was before.
        refused.entries().forEach(e -> {
          if (!owned.contains(e.key())) {
            record.remove(e.key());
          }
        });
        applied.of(Action.CONFLICT).forEach(e -> {
          if (!owned.contains(e.key())) {
            record.remove(e.key());
          }
        });
        Inventory next = new Inventory(state.environment(), commit, record);
        if (previous.isEmpty() || !previous.get().equals(next) || !owned.containsAll(desired)) {
          inventories.write(next); // an unchanged inventory is not rewritten: a no-op sync writes nothing
        }
      }
      LOG.info("sync of {} at {}: {}", state.environment(), commit, all.summary());
      return new Result(state.environment(), commit, all, Optional.empty());
    } catch (InventoryStore.InventoryException e) {
      LOG.warn("sync of {} at {}: {}", state.environment(), commit, e.getMessage());
      return new Result(state.environment(), commit, ChangeSet.empty(), Optional.of(e.getMessage()), e.refused());
    } catch (KubernetesClientException e) {
      return new Result(state.environment(), commit, ChangeSet.empty(), Optional.of(e.getMessage()));
    } finally {
      MDC.remove("target");
      MDC.remove("commit");
    }
  }
}
