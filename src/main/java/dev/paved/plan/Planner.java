package dev.paved.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Manifests;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.plan.Plan.Action;
import dev.paved.plan.Plan.EnvironmentPlan;
import dev.paved.plan.Plan.ObjectChange;
import dev.paved.policy.Finding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import dev.paved.config.Workers;
import java.util.stream.Collectors;

/**
 * Compares two desired states object by object. The per-commit annotation is ignored (a
 * commit that changes nothing in an object does not change it), and secrets are masked
 * before comparison, so a plan never carries a secret value.
 */
public final class Planner {

  private final Redactor redactor;
  private final Workers workers;

  /** A planner comparing objects on the caller's thread. */
  public Planner(Redactor redactor) {
    this(redactor, Workers.sequential());
  }

  /** A planner comparing objects on {@code workers}. */
  public Planner(Redactor redactor, Workers workers) {
    this.redactor = redactor;
    this.workers = workers;
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
    // Each object is compared on its own (both sides cleaned, printed only when they differ): on
    // the workers, in key order. An environment of a large repo has tens of thousands.
    List<Optional<ObjectChange>> compared = workers.map(new ArrayList<>(keys),
        key -> change(key, before.get(key), after.get(key)));
    List<ObjectChange> changes = compared.stream().flatMap(Optional::stream).toList();
    int unchanged = compared.size() - changes.size();
    Set<String> baseIds = baseFindings.stream().map(Finding::identity).collect(Collectors.toSet());
    Set<String> headIds = headFindings.stream().map(Finding::identity).collect(Collectors.toSet());
    List<Finding> appeared = headFindings.stream().filter(f -> !baseIds.contains(f.identity())).toList();
    List<Finding> resolved = baseFindings.stream().filter(f -> !headIds.contains(f.identity())).toList();
    String cluster = head != null ? head.cluster() : base.cluster();
    return new EnvironmentPlan(env, cluster, changes, unchanged, appeared, resolved);
  }

  /** How {@code key} changes from {@code b} to {@code a} (either may be null); empty when it does not. */
  Optional<ObjectChange> change(ObjectKey key, DesiredObject b, DesiredObject a) {
    if (b != null && a != null && sameButCommit(b.manifest(), a.manifest(), 0)) {
      return Optional.empty(); // what successive evaluations share: nothing copied or printed
    }
    ObjectNode oldTree = b == null ? null : redactor.clean(b.manifest());
    ObjectNode newTree = a == null ? null : redactor.clean(a.manifest());
    if (oldTree != null && newTree != null && sameInOrder(oldTree, newTree)) {
      return Optional.empty(); // identical trees print identically: most objects of a plan
    }
    String oldYaml = oldTree == null ? "" : Manifests.toYaml(oldTree);
    String newYaml = newTree == null ? "" : Manifests.toYaml(newTree);
    if (oldYaml.equals(newYaml)) {
      return Optional.empty();
    }
    Action action = b == null ? Action.ADD : a == null ? Action.REMOVE : Action.CHANGE;
    String service = a != null ? a.service() : b.service();
    return Optional.of(new ObjectChange(key, action, service, unified(key, oldYaml, newYaml)));
  }

  /**
   * Whether {@code a} and {@code b} are the same tree, field order and node types included (what
   * makes their YAML the same text); {@link JsonNode#equals} ignores the order of fields.
   */
  static boolean sameInOrder(JsonNode a, JsonNode b) {
    if (a == b) {
      return true; // a subtree shared between two evaluations
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> x = a.fields();
      Iterator<Map.Entry<String, JsonNode>> y = b.fields();
      while (x.hasNext()) {
        Map.Entry<String, JsonNode> e = x.next();
        Map.Entry<String, JsonNode> f = y.next();
        if (!e.getKey().equals(f.getKey()) || !sameInOrder(e.getValue(), f.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameInOrder(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return !a.isContainerNode() && !b.isContainerNode() && a.getClass() == b.getClass() && a.equals(b);
  }

  /**
   * {@link #sameInOrder}, but for the value of {@code metadata.annotations["paved.dev/source-commit"]}
   * ({@code depth}: 0 at the root, 1 in metadata, 2 in its annotations): two objects this accepts
   * clean to the same tree, so they print the same. Cheap when they share subtrees.
   */
  static boolean sameButCommit(JsonNode a, JsonNode b, int depth) {
    if (a == b) {
      return true;
    }
    if (!a.isObject() || !b.isObject()) {
      return sameInOrder(a, b);
    }
    Iterator<Map.Entry<String, JsonNode>> x = a.fields();
    Iterator<Map.Entry<String, JsonNode>> y = b.fields();
    while (true) {
      Map.Entry<String, JsonNode> e = next(x, depth);
      Map.Entry<String, JsonNode> f = next(y, depth);
      if (e == null || f == null) {
        return e == f;
      }
      if (!e.getKey().equals(f.getKey())) {
        return false;
      }
      boolean deeper = depth == 0 && e.getKey().equals("metadata") || depth == 1 && e.getKey().equals("annotations");
      if (!(deeper ? sameButCommit(e.getValue(), f.getValue(), depth + 1) : sameInOrder(e.getValue(), f.getValue()))) {
        return false;
      }
    }
  }

  /** The next field, skipping the commit annotation among the annotations; null at the end. */
  private static Map.Entry<String, JsonNode> next(Iterator<Map.Entry<String, JsonNode>> it, int depth) {
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (depth != 2 || !e.getKey().equals(Labels.SOURCE_COMMIT)) {
        return e;
      }
    }
    return null;
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
