package dev.paved.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Override;
import dev.paved.config.Declarations.Service;
import dev.paved.config.ServiceSpec.Probe;
import dev.paved.config.ServiceSpec.Route;
import dev.paved.config.ServiceSpec.Variable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Resolves every (service, environment) pair of a platform into a {@link Workload}: merges
 * the layers ({@link Merge}), expands placeholders, computes the namespace, and checks what
 * only the merged spec can tell (port references, autoscaling bounds).
 */
public final class Workloads {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private Workloads() {}

  /** The workloads, in (environment, service) order, and the problems found. */
  public record Result(List<Workload> workloads, List<Diagnostic> diagnostics) {
    public Result {
      workloads = List.copyOf(workloads);
      diagnostics = diagnostics.stream().sorted().toList();
    }
  }

  /** The workloads of {@code platform}, resolved on the caller's thread. */
  public static Result resolve(Platform platform) {
    return resolve(platform, Workers.sequential());
  }

  /** The workloads of {@code platform}, each pair resolved on {@code workers}. */
  public static Result resolve(Platform platform, Workers workers) {
    List<Platform.Deployment> pairs = platform.deployments();
    // Each pair resolves on its own (pure): spread them over the workers, keep the order.
    List<Result> each = workers.map(pairs, p -> resolve(platform, p.service(), p.environment()));
    List<Workload> out = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    each.forEach(r -> {
      out.addAll(r.workloads());
      problems.addAll(r.diagnostics());
    });
    return new Result(out, problems);
  }

  /**
   * The workload of {@code svc} in {@code env} (none when it cannot be resolved) and the problems
   * found: what {@link #resolve(Platform, Workers)} gives for that one pair. It depends on the
   * service, the environment and the environment's cluster only.
   */
  public static Result resolve(Platform platform, Service svc, Environment env) {
    List<Workload> one = new ArrayList<>(1);
    List<Diagnostic> problems = new ArrayList<>();
    resolve(platform, svc, env, one, problems);
    return new Result(one, problems);
  }

  private static void resolve(Platform platform, Service svc, Environment env, List<Workload> out,
      List<Diagnostic> problems) {
    List<Merge.Layer> layers = new ArrayList<>();
    // The environment's own tree, read only: Merge copies what it takes from a layer.
    layers.add(new Merge.Layer(env.document().tree().get("defaults"), env.document().sourceMap(), "/defaults"));
    layers.add(new Merge.Layer(svc.document().tree(), svc.document().sourceMap(), ""));
    Override o = svc.overrides().get(env.name());
    if (o != null) {
      layers.add(new Merge.Layer(o.document().tree(), o.document().sourceMap(), ""));
    }
    Merge.Result merged = Merge.apply(layers);
    if (o != null && removesRequired(svc, o, merged, problems)) {
      return;
    }
    keepLiteralText(merged, layers);
    ServiceSpec spec;
    try {
      spec = MAPPER.treeToValue(merged.tree(), ServiceSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      problems.add(Diagnostic.error(svc.document().location(), "merge", "the merged service for environment \""
          + env.name() + "\" is not valid: " + e.getMessage()));
      return;
    }
    Workload draft = new Workload(svc, env, platform.clusters().get(env.cluster()), spec, "", merged.origins());

    String namespace = env.namespacePattern().replace("{team}", spec.team()).replace("{env}", env.name())
        .replace("{service}", svc.name());
    if (!ConfigLoader.dnsLabel(namespace)) {
      problems.add(Diagnostic.error(env.document().sourceMap().value("/namespace"), "bad-namespace",
          "namespace \"" + namespace + "\" (for service \"" + svc.name() + "\") is not a valid DNS-1123 label; "
              + "shorten the pattern or the names"));
      return;
    }
    Map<String, String> values = Map.of("service.name", svc.name(), "service.team", spec.team(),
        "environment.name", env.name(), "environment.tier", env.tier(), "environment.namespace", namespace,
        "cluster.name", env.cluster());
    int before = problems.size();
    Function<String[], String> expand = args -> {
      Placeholders.Expansion x = Placeholders.expand(args[0], values);
      x.unknown().ifPresent(u -> problems.add(Diagnostic.error(draft.locate(args[1]), "unknown-placeholder",
          "unknown placeholder \"${" + u + "}\"; the placeholders are: "
              + String.join(", ", Placeholders.NAMES.stream().map(n -> "${" + n + "}").toList())
              + " (write $${...} for a literal)")));
      return x.value();
    };
    Map<String, Variable> variables = new LinkedHashMap<>();
    spec.variables().forEach((k, v) -> variables.put(k, v.isLiteral()
        ? Variable.literal(expand.apply(new String[] {v.literal(), "/variables/" + SourceMap.token(k)}))
        : v));
    Route route = spec.route() == null ? null : new Route(expand.apply(new String[] {spec.route().host(), "/route/host"}),
        spec.route().path(), spec.route().port(), spec.route().ingressClassName(), spec.route().tlsSecret());
    List<String> command = expandAll(spec.command(), "/command", expand);
    List<String> args = expandAll(spec.args(), "/args", expand);
    ServiceSpec expanded = new ServiceSpec(spec.team(), spec.description(), spec.links(), spec.labels(),
        spec.environments(), spec.image(), command, args, spec.ports(), variables, spec.resources(), spec.probes(),
        spec.replicas(), spec.autoscaling(), route, spec.ignoreDifferences());
    Workload w = new Workload(svc, env, draft.cluster(), expanded, namespace, merged.origins());
    check(w, problems);
    // a warning (e.g. replicas-ignored) must not drop the workload, only an error does
    if (problems.subList(before, problems.size()).stream().noneMatch(Diagnostic::isError)) {
      out.add(w);
    }
  }

  /**
   * Whether the override removes (with null) a field the service schema requires, e.g.
   * {@code image:} with no value: reported at the override's line, since the merged spec cannot
   * be rendered. Only an override with a null can do this (a valid service has every required
   * field), so the merged tree is checked only then.
   */
  private static boolean removesRequired(Service svc, Override o, Merge.Result merged, List<Diagnostic> problems) {
    JsonNode override = o.document().tree();
    if (!Merge.containsNull(override)) {
      return false;
    }
    boolean found = false;
    for (SchemaValidator.Missing m : SchemaValidator.instance().missingRequired(Kind.SERVICE, merged.tree())) {
      if (override.at(m.pointer()).isNull()) {
        String field = SchemaValidator.describe(m.pointer());
        problems.add(Diagnostic.error(o.document().sourceMap().key(m.pointer()), "removes-required",
            "this override removes " + field + " (no value means remove), which service \"" + svc.name()
                + "\" needs in environment \"" + o.environment() + "\""
                + (m.explanation() == null ? "" : " (" + m.explanation() + ")") + "; give " + field
                + " a value here, or delete this line to keep the value from " + svc.file()));
        found = true;
      }
    }
    return found;
  }

  /**
   * Variables are strings in Kubernetes: an unquoted number or boolean keeps the text it was
   * written with ({@code 1.10} stays "1.10", {@code 01234} stays "01234"), not Jackson's
   * rendering of the parsed value.
   */
  private static void keepLiteralText(Merge.Result merged, List<Merge.Layer> layers) {
    if (!(merged.tree().get("variables") instanceof com.fasterxml.jackson.databind.node.ObjectNode vars)) {
      return;
    }
    List<String> names = new ArrayList<>();
    vars.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      if (!vars.get(name).isValueNode() || vars.get(name).isTextual()) {
        continue;
      }
      String pointer = "/variables/" + SourceMap.token(name);
      Location at = merged.origins().get(pointer);
      for (Merge.Layer layer : layers) {
        String p = layer.prefix() + pointer;
        if (at != null && at.equals(layer.map().valueAt(p))) {
          layer.map().text(p).ifPresent(text -> vars.put(name, text));
        }
      }
    }
  }

  private static List<String> expandAll(List<String> items, String pointer, Function<String[], String> expand) {
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(expand.apply(new String[] {items.get(i), pointer + "/" + i}));
    }
    return out;
  }

  private static void check(Workload w, List<Diagnostic> problems) {
    ServiceSpec s = w.spec();
    String where = " (service \"" + w.name() + "\", environment \"" + w.environment().name() + "\")";
    Set<String> portNames = new HashSet<>();
    for (int i = 0; i < s.ports().size(); i++) {
      if (!portNames.add(s.ports().get(i).name())) {
        problems.add(Diagnostic.error(w.locate("/ports/" + i + "/name"), "duplicate-port",
            "port name \"" + s.ports().get(i).name() + "\" is used twice; give each port its own name"));
      }
    }
    Map<String, Probe> probes = new TreeMap<>();
    if (s.probes() != null) {
      probes.put("liveness", s.probes().liveness());
      probes.put("readiness", s.probes().readiness());
      probes.put("startup", s.probes().startup());
    }
    probes.forEach((kind, p) -> {
      if (p == null) {
        return;
      }
      String port = p.http() != null ? p.http().port() : p.tcp() != null ? p.tcp().port() : null;
      String ptr = "/probes/" + kind + (p.http() != null ? "/http/port" : "/tcp/port");
      portReference(w, port, ptr, portNames, problems, where);
    });
    if (s.route() != null) {
      if (s.ports().isEmpty()) {
        problems.add(Diagnostic.error(w.locate("/route"), "route-without-port",
            "a route needs a port to send traffic to; declare \"ports\"" + where));
      } else {
        portReference(w, s.route().port(), "/route/port", portNames, problems, where);
      }
    }
    if (s.autoscaling() != null) {
      if (s.autoscaling().minReplicas() > s.autoscaling().maxReplicas()) {
        problems.add(Diagnostic.error(w.locate("/autoscaling/minReplicas"), "autoscaling-bounds",
            "autoscaling minReplicas (" + s.autoscaling().minReplicas() + ") is above maxReplicas ("
                + s.autoscaling().maxReplicas() + ")" + where));
      }
      if (s.replicas() != null && !w.locate("/replicas").file().startsWith("environments/")) {
        problems.add(Diagnostic.warning(w.locate("/replicas"), "replicas-ignored",
            "replicas is ignored because autoscaling is set; remove one of them" + where));
      }
    }
  }

  /** Whether {@code s} is one or more ASCII digits (what {@code s.matches("\\d+")} says, without a regex). */
  public static boolean digits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static void portReference(Workload w, String port, String pointer, Set<String> names,
      List<Diagnostic> problems, String where) {
    if (port == null) {
      return;
    }
    if (digits(port)) {
      if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
        problems.add(Diagnostic.error(w.locate(pointer), "invalid-value", "port " + port
            + " is not a port number; use a number from 1 to 65535 or the name of a port in \"ports\"" + where));
      }
      return;
    }
    if (!names.contains(port)) {
      problems.add(Diagnostic.error(w.locate(pointer), "dangling-reference", "port \"" + port
          + "\" is not declared in \"ports\"" + Suggestions.hint(port, names) + where));
    }
  }
}
