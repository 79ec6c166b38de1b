package dev.paved.plan;

import dev.paved.desired.ObjectKey;
import dev.paved.policy.Finding;
import java.util.List;

/** What a change does, per environment: the data behind every printed plan. */
public record Plan(String base, String head, List<EnvironmentPlan> environments) {

  public Plan {
    environments = List.copyOf(environments);
  }

  /**
   * What happens to one object. Live plans only: {@code HOLD}, {@code REFUSE}, {@code SKIP}
   * and {@code CONFLICT}, each with a reason.
   */
  public enum Action {
    ADD("+", "added"), CHANGE("~", "changed"), REMOVE("-", "removed"),
    /** A deletion the prune guard holds. */
    HOLD("!", "held"),
    /** The apiserver would refuse the object (a server-side dry run says why): the apply would fail. */
    REFUSE("x", "refused"),
    /** A deletion the apply would skip: the object is not Paved's, or already gone. */
    SKIP("=", "skipped"),
    /** The object exists and is not Paved's for this environment: the apply would take it over. */
    CONFLICT("*", "conflict");

    private final String symbol;
    private final String verb;

    Action(String symbol, String verb) {
      this.symbol = symbol;
      this.verb = verb;
    }

    public String symbol() {
      return symbol;
    }

    /** {@code added}, {@code held}, ...: how the printers name it. */
    public String verb() {
      return verb;
    }
  }

  /**
   * One object's change, with the unified diff of its (masked) YAML, and why, for the actions
   * that have a reason (for {@code HOLD}, {@code REFUSE} and {@code SKIP} the diff is the reason).
   */
  public record ObjectChange(ObjectKey key, Action action, String service, String diff, String reason) {
    public ObjectChange(ObjectKey key, Action action, String service, String diff) {
      this(key, action, service, diff, "");
    }

    /** A change without a diff, only a reason. */
    public static ObjectChange because(ObjectKey key, Action action, String service, String reason) {
      return new ObjectChange(key, action, service, reason + "\n", reason);
    }
  }

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

    /** Whether the apply would fail: the apiserver would refuse an object. */
    public boolean refused() {
      return count(Action.REFUSE) > 0;
    }

    public boolean isEmpty() {
      return changes.isEmpty() && newFindings.isEmpty() && resolvedFindings.isEmpty();
    }
  }

  public boolean isEmpty() {
    return environments.stream().allMatch(EnvironmentPlan::isEmpty);
  }

  /** Whether the apiserver would refuse an object in some environment. */
  public boolean refused() {
    return environments.stream().anyMatch(EnvironmentPlan::refused);
  }
}
