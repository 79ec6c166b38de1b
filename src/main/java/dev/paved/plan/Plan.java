package dev.paved.plan;

import dev.paved.desired.ObjectKey;
import dev.paved.policy.Finding;
import java.util.List;

/** What a change does, per environment: the data behind every printed plan. */
public record Plan(String base, String head, List<EnvironmentPlan> environments) {

  public Plan {
    environments = List.copyOf(environments);
  }

  /** What happens to one object. */
  public enum Action {
    ADD("+"), CHANGE("~"), REMOVE("-"),
    /** A deletion the prune guard holds (live plans only); the diff field carries the reason. */
    HOLD("!");

    private final String symbol;

    Action(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** One object's change, with the unified diff of its (masked) YAML. */
  public record ObjectChange(ObjectKey key, Action action, String service, String diff) {}

  /** The changes of one environment, and the policy findings that appear or disappear there. */
  public record EnvironmentPlan(String environment, String cluster, List<ObjectChange> changes, int unchanged,
      List<Finding> newFindings, List<Finding> resolvedFindings) {

    public EnvironmentPlan {
      changes = List.copyOf(changes);
      newFindings = List.copyOf(newFindings);
      resolvedFindings = List.copyOf(resolvedFindings);
    }

    public long count(Action action) {
      return changes.stream().filter(c -> c.action() == action).count();
    }

    public boolean isEmpty() {
      return changes.isEmpty() && newFindings.isEmpty() && resolvedFindings.isEmpty();
    }
  }

  public boolean isEmpty() {
    return environments.stream().allMatch(EnvironmentPlan::isEmpty);
  }
}
