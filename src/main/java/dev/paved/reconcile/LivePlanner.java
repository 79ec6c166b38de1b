package dev.paved.reconcile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.PruneGuard;
import dev.paved.apply.ResourceManager;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import dev.paved.plan.Plan;
import dev.paved.plan.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plan against the live cluster: for each desired object a server-side dry-run tells
 * whether it would be created, changed (with a field-level diff of live vs would-be) or left
 * unchanged; the inventory and the prune guard tell what would be deleted or held. Writes
 * nothing.
 */
public final class LivePlanner {

  private LivePlanner() {}

  public static Plan plan(EnvironmentState state, PruneGuard.Policy prune, IgnoreRules ignore, String commit,
      ResourceManager manager, InventoryStore inventories, Redactor redactor) {
    List<Plan.ObjectChange> changes = new ArrayList<>();
    int unchanged = 0;
    Set<ObjectKey> desired = new TreeSet<>();
    List<ResourceManager.ObjectDiff> diffs = manager.diffAll(state.objects(),
        ResourceManager.Options.defaults().concurrency(), ignore);
    for (int i = 0; i < diffs.size(); i++) {
      DesiredObject o = state.objects().get(i);
      desired.add(o.key());
      ResourceManager.ObjectDiff d = diffs.get(i);
      switch (d.action()) {
        case UNCHANGED -> unchanged++;
        case CREATED -> changes.add(new Plan.ObjectChange(o.key(), Plan.Action.ADD, o.service(),
            unified(o.key(), null, (ObjectNode) d.after(), redactor)));
        case CONFIGURED -> changes.add(new Plan.ObjectChange(o.key(), Plan.Action.CHANGE, o.service(),
            unified(o.key(), (ObjectNode) d.live(), (ObjectNode) d.after(), redactor)));
        default -> changes.add(new Plan.ObjectChange(o.key(), Plan.Action.HOLD, o.service(),
            "the apiserver refuses it: " + d.reason()));
      }
    }
    Set<ObjectKey> owned = inventories.read(state.environment()).map(Inventory::objects).orElse(Set.of());
    PruneGuard.Decision decision = PruneGuard.decide(owned, desired, prune);
    ChangeSet deletions = manager.delete(decision.delete(), state.environment(), true);
    for (ChangeSet.Entry e : deletions.entries()) {
      if (e.action() == Action.DELETED) {
        changes.add(new Plan.ObjectChange(e.key(), Plan.Action.REMOVE, null, "pruned: no longer in git\n"));
      }
    }
    for (ChangeSet.Entry e : decision.held().entries()) {
      changes.add(new Plan.ObjectChange(e.key(), Plan.Action.HOLD, null, e.reason()));
    }
    Plan.EnvironmentPlan env = new Plan.EnvironmentPlan(state.environment(), state.cluster(), changes, unchanged,
        List.of(), List.of());
    return new Plan("live", commit, List.of(env));
  }

  private static String unified(ObjectKey key, ObjectNode live, ObjectNode after, Redactor redactor) {
    String before = live == null ? "" : Manifests.toYaml(redactor.clean(live));
    String next = Manifests.toYaml(redactor.clean(after));
    return dev.paved.plan.Planner.unified(key, before, next);
  }
}
