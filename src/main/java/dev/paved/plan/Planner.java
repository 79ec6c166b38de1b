package dev.paved.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import dev.paved.plan.Plan.Action;
import dev.paved.plan.Plan.EnvironmentPlan;
import dev.paved.plan.Plan.ObjectChange;
import dev.paved.policy.Finding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares two desired states object by object. The per-commit annotation is ignored (a
 * commit that changes nothing in an object does not change it), and secrets are masked
 * before comparison, so a plan never carries a secret value.
 */
public final class Planner {

  private final Redactor redactor;

  public Planner(Redactor redactor) {
    this.redactor = redactor;
  }

  public Plan between(DesiredState base, List<Finding> baseFindings, DesiredState head, List<Finding> headFindings) {
    Set<String> envs = new TreeSet<>(base.environments().keySet());
    envs.addAll(head.environments().keySet());
    List<EnvironmentPlan> out = new ArrayList<>();
    for (String env : envs) {
      EnvironmentState b = base.environment(env).orElse(null);
      EnvironmentState h = head.environment(env).orElse(null);
      out.add(environment(env, b, h, of(baseFindings, env), of(headFindings, env)));
    }
    return new Plan(base.revision(), head.revision(), out);
  }

  private static List<Finding> of(List<Finding> findings, String env) {
    return findings.stream().filter(f -> f.environment().equals(env)).toList();
  }

  private EnvironmentPlan environment(String env, EnvironmentState base, EnvironmentState head,
      List<Finding> baseFindings, List<Finding> headFindings) {
    Map<ObjectKey, DesiredObject> before = index(base);
    Map<ObjectKey, DesiredObject> after = index(head);
    Set<ObjectKey> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<ObjectChange> changes = new ArrayList<>();
    int unchanged = 0;
    for (ObjectKey key : keys) {
      DesiredObject b = before.get(key);
      DesiredObject a = after.get(key);
      String oldYaml = b == null ? "" : Manifests.toYaml(redactor.clean(b.manifest()));
      String newYaml = a == null ? "" : Manifests.toYaml(redactor.clean(a.manifest()));
      if (oldYaml.equals(newYaml)) {
        unchanged++;
        continue;
      }
      Action action = b == null ? Action.ADD : a == null ? Action.REMOVE : Action.CHANGE;
      String service = a != null ? a.service() : b.service();
      changes.add(new ObjectChange(key, action, service, unified(key, oldYaml, newYaml)));
    }
    Set<String> baseIds = baseFindings.stream().map(Finding::identity).collect(Collectors.toSet());
    Set<String> headIds = headFindings.stream().map(Finding::identity).collect(Collectors.toSet());
    List<Finding> appeared = headFindings.stream().filter(f -> !baseIds.contains(f.identity())).toList();
    List<Finding> resolved = baseFindings.stream().filter(f -> !headIds.contains(f.identity())).toList();
    String cluster = head != null ? head.cluster() : base.cluster();
    return new EnvironmentPlan(env, cluster, changes, unchanged, appeared, resolved);
  }

  private static Map<ObjectKey, DesiredObject> index(EnvironmentState state) {
    Map<ObjectKey, DesiredObject> out = new TreeMap<>();
    if (state != null) {
      state.objects().forEach(o -> out.put(o.key(), o));
    }
    return out;
  }

  /** A unified diff of two YAML texts, with three lines of context. */
  public static String unified(ObjectKey key, String oldYaml, String newYaml) {
    List<String> a = oldYaml.isEmpty() ? List.of() : Arrays.asList(oldYaml.split("\n", -1));
    List<String> b = newYaml.isEmpty() ? List.of() : Arrays.asList(newYaml.split("\n", -1));
    a = trimLast(a);
    b = trimLast(b);
    List<String> lines = UnifiedDiffUtils.generateUnifiedDiff(a.isEmpty() ? "/dev/null" : "a/" + key,
        b.isEmpty() ? "/dev/null" : "b/" + key, a, DiffUtils.diff(a, b), 3);
    return String.join("\n", lines) + "\n";
  }

  private static List<String> trimLast(List<String> lines) {
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      return lines.subList(0, lines.size() - 1);
    }
    return lines;
  }
}
