package dev.paved.policy;

import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Policy;
import dev.paved.config.Platform;
import dev.paved.config.Workload;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.RenderResult;
import dev.paved.policy.PodSpecs.ContainerRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Evaluates every policy of a platform over its rendered desired state. For each policy and
 * environment, the rule sees only the objects and workloads its match/exclude selects.
 */
public final class PolicyEngine {

  private PolicyEngine() {}

  /**
   * What a rule is given: its policy, one environment, the selected objects and workloads, and
   * the containers of those objects (init containers included), found when a rule first asks.
   */
  public record Scope(Policy policy, Environment environment, Platform platform, List<DesiredObject> objects,
      List<Workload> workloads, Map<String, Map<String, Workload>> workloadsByEnvironment,
      Supplier<List<ContainerRef>> containerSource) {

    /** The containers of the selected objects, in object order; init containers only when asked. */
    List<ContainerRef> containers(boolean init) {
      List<ContainerRef> all = containerSource.get();
      return init ? all : all.stream().filter(c -> !c.init()).toList();
    }

    Workload workload(String service) {
      return workloadIn(environment.name(), service);
    }

    Workload workloadIn(String environment, String service) {
      Map<String, Workload> in = workloadsByEnvironment.get(environment);
      return in == null ? null : in.get(service);
    }
  }

  /** A built-in rule. */
  @FunctionalInterface
  public interface Rule {
    List<Violation> check(Scope scope);
  }

  /** What a rule reports; the engine adds policy, severity and environment. */
  public record Violation(DesiredObject object, String service, dev.paved.config.Location location, String message) {}

  /** The findings of every policy in every environment, on the caller's thread. */
  public static List<Finding> evaluate(Platform platform, RenderResult rendered) {
    return evaluate(platform, rendered, dev.paved.config.Workers.sequential());
  }

  /** The findings of every policy in every environment, each pair evaluated on {@code workers}. */
  public static List<Finding> evaluate(Platform platform, RenderResult rendered, dev.paved.config.Workers workers) {
    return evaluate(platform, rendered, workers, null);
  }

  /** Rules whose finding on one service's object depends on other services' objects (an HPA of any service exempts a Deployment). */
  private static final java.util.Set<String> CROSS_SERVICE = java.util.Set.of("replica-bounds");

  /**
   * Whether a finding of {@code rule} about one service may depend on other services (then it is
   * evaluated over the whole environment even when only some services are asked for).
   */
  public static boolean crossService(String rule) {
    return CROSS_SERVICE.contains(rule);
  }

  /**
   * The findings of every policy in every environment about the services {@code services} accepts
   * and about each environment's own objects (those of no service); {@code services} null: all.
   * A rule that looks across services ({@link #crossService}) still sees, and reports on, the
   * whole environment. Every other rule sees only the accepted services' objects and workloads:
   * a finding about a service depends on that service's objects and workloads alone (and on the
   * platform's policies, environments and teams), so the findings of the others can be kept from
   * an earlier evaluation of the same platform.
   */
  public static List<Finding> evaluate(Platform platform, RenderResult rendered, dev.paved.config.Workers workers,
      java.util.function.Predicate<String> services) {
    // Workloads by environment, then service.
    Map<String, Map<String, Workload>> byKey = new HashMap<>();
    Map<String, List<Workload>> byEnv = new HashMap<>();
    for (Workload w : rendered.workloads()) {
      byKey.computeIfAbsent(w.environment().name(), k -> new HashMap<>()).put(w.name(), w);
      byEnv.computeIfAbsent(w.environment().name(), k -> new ArrayList<>()).add(w);
    }
    // Found once per environment, when first needed: the team of each object (for policies that
    // select by service, team or exclude) and the containers of all its objects (for rules on
    // containers of policies that select the whole environment).
    Map<String, String[]> teams = new ConcurrentHashMap<>();
    Map<String, List<ContainerRef>> containers = new ConcurrentHashMap<>();
    // The objects of the asked-for services (and of none) per environment, when not all are asked for.
    Map<String, List<DesiredObject>> subsets = new ConcurrentHashMap<>();
    Map<String, List<Workload>> subsetWorkloads = new ConcurrentHashMap<>();
    // Each (policy, environment) pair is evaluated on its own (pure): spread them over the workers.
    record Pair(Policy policy, Environment environment) {}
    List<Pair> pairs = new ArrayList<>();
    for (Policy policy : platform.policies().values()) {
      for (Environment env : platform.environments().values()) {
        pairs.add(new Pair(policy, env));
      }
    }
    List<List<Finding>> findings = workers.map(pairs, pair -> {
      Policy policy = pair.policy();
      Environment env = pair.environment();
      EnvironmentState state = rendered.state().environment(env.name()).orElse(null);
      if (state == null) {
        return List.<Finding>of();
      }
      boolean partial = services != null && !crossService(policy.rule());
      // The caches below hold lists aligned with "all": one entry per environment and view.
      String view = (partial ? "some/" : "all/") + env.name();
      List<DesiredObject> all = partial ? subsets.computeIfAbsent(env.name(), k -> state.objects().stream()
          .filter(o -> o.service() == null || services.test(o.service())).toList()) : state.objects();
      List<Workload> inEnv = partial ? subsetWorkloads.computeIfAbsent(env.name(), k -> byEnv
          .getOrDefault(env.name(), List.of()).stream().filter(w -> services.test(w.name())).toList())
          : byEnv.getOrDefault(env.name(), List.of());
      List<DesiredObject> objects;
      List<Workload> workloads;
      Supplier<List<ContainerRef>> containerSource;
      if (policy.exclude().isEmpty() && policy.match().services().isEmpty() && policy.match().teams().isEmpty()) {
        // The policy selects by tier and environment only: all of this environment, or nothing.
        boolean applies = policy.applies(env.tier(), env.name(), null, null);
        objects = applies ? all : List.of();
        workloads = applies ? inEnv : List.of();
        containerSource = applies ? () -> containers.computeIfAbsent(view, k -> PodSpecs.containers(all))
            : List::of;
      } else {
        String[] objectTeams = teams.computeIfAbsent(view, k -> teams(all, byKey, env));
        objects = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          DesiredObject o = all.get(i);
          if (policy.applies(env.tier(), env.name(), o.service(), objectTeams[i])) {
            objects.add(o);
          }
        }
        workloads = inEnv.stream().filter(w -> policy.applies(env.tier(), env.name(), w.name(), w.team())).toList();
        List<DesiredObject> selected = objects;
        containerSource = () -> PodSpecs.containers(selected);
      }
      if (objects.isEmpty() && workloads.isEmpty()) {
        return List.<Finding>of();
      }
      Scope scope = new Scope(policy, env, platform, objects, workloads, byKey, containerSource);
      return BuiltinRules.get(policy.rule()).check(scope).stream()
          .map(v -> new Finding(policy.name(), policy.rule(), policy.severity(), env.name(), v.service(),
              v.object() == null ? null : v.object().key(), v.location(), v.message())).toList();
    });
    return findings.stream().flatMap(List::stream).sorted().toList();
  }

  private static String[] teams(List<DesiredObject> objects, Map<String, Map<String, Workload>> byKey,
      Environment env) {
    String[] t = new String[objects.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = team(objects.get(i), byKey, env);
    }
    return t;
  }

  private static String team(DesiredObject o, Map<String, Map<String, Workload>> byKey, Environment env) {
    if (o.service() != null) {
      Map<String, Workload> in = byKey.get(env.name());
      Workload w = in == null ? null : in.get(o.service());
      if (w != null) {
        return w.team();
      }
    }
    return o.manifest().path("metadata").path("labels").path(Labels.TEAM).asText(null);
  }
}
