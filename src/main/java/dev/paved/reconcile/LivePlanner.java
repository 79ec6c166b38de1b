package dev.paved.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.PruneGuard;
import dev.paved.apply.ResourceManager;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
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
 * whether it would be created, changed (with a field-level diff of live vs would-be), left
 * unchanged or refused, and whether it exists already without being Paved's (a conflict the
 * apply would take over); the inventory and the prune guard tell what would be deleted, held
 * or skipped. Writes nothing.
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
        case CONFIGURED -> {
          String diff = unified(o.key(), (ObjectNode) d.live(), (ObjectNode) d.after(), redactor);
          String owner = owner(d.live(), state.environment());
          changes.add(owner.isEmpty() ? new Plan.ObjectChange(o.key(), Plan.Action.CHANGE, o.service(), diff)
              : new Plan.ObjectChange(o.key(), Plan.Action.CONFLICT, o.service(), diff, owner
                  + "; the apply would take it over"));
        }
        case ADOPTED -> changes.add(new Plan.ObjectChange(o.key(), Plan.Action.CONFLICT, o.service(),
            unified(o.key(), (ObjectNode) d.live(), (ObjectNode) d.after(), redactor),
            "not Paved's; git marks it paved.dev/adopt: \"true\": the apply would adopt it"));
        case CONFLICT -> changes.add(Plan.ObjectChange.because(o.key(), Plan.Action.CONFLICT, o.service(),
            d.reason()));
        default -> changes.add(Plan.ObjectChange.because(o.key(), Plan.Action.REFUSE, o.service(),
            "the apiserver refuses it: " + d.reason()));
      }
    }
    Set<ObjectKey> owned = inventories.read(state.environment()).map(Inventory::objects).orElse(Set.of());
    PruneGuard.Decision decision = PruneGuard.decide(owned, desired, prune);
    ChangeSet deletions = manager.delete(decision.delete(), state.environment(), true);
    for (ChangeSet.Entry e : deletions.entries()) {
      switch (e.action()) {
        case DELETED -> changes.add(new Plan.ObjectChange(e.key(), Plan.Action.REMOVE, null,
            "pruned: no longer in git\n"));
        case SKIPPED -> changes.add(Plan.ObjectChange.because(e.key(), Plan.Action.SKIP, null, e.reason()));
        default -> changes.add(Plan.ObjectChange.because(e.key(), Plan.Action.REFUSE, null,
            "cannot prune it: " + e.reason()));
      }
    }
    for (ChangeSet.Entry e : decision.held().entries()) {
      changes.add(Plan.ObjectChange.because(e.key(), Plan.Action.HOLD, null, e.reason()));
    }
    Plan.EnvironmentPlan env = new Plan.EnvironmentPlan(state.environment(), state.cluster(), changes, unchanged,
        List.of(), List.of());
    return new Plan("live", commit, List.of(env));
  }

  /**
   * Empty when {@code live} is Paved's for {@code environment} (its ownership labels), else who
   * it belongs to.
   */
  static String owner(JsonNode live, String environment) {
    JsonNode labels = live.path("metadata").path("labels");
    String manager = labels.path(Labels.MANAGED_BY).asText();
    String env = labels.path(Labels.ENVIRONMENT).asText();
    if (Labels.MANAGER.equals(manager) && environment.equals(env)) {
      return "";
    }
    if (Labels.MANAGER.equals(manager)) {
      return "it belongs to Paved's environment \"" + env + "\"";
    }
    return "it exists and is not Paved's" + (manager.isEmpty() ? "" : " (managed by " + manager + ")");
  }

  private static String unified(ObjectKey key, ObjectNode live, ObjectNode after, Redactor redactor) {
    String before = live == null ? "" : Manifests.toYaml(redactor.clean(live));
    String next = Manifests.toYaml(redactor.clean(after));
    return dev.paved.plan.Planner.unified(key, before, next);
  }
}
