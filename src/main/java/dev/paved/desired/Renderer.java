package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.ApiKinds;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.config.Declarations.RawManifest;
import dev.paved.config.Diagnostic;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.config.ServiceSpec;
import dev.paved.config.ServiceSpec.KeyRef;
import dev.paved.config.ServiceSpec.Port;
import dev.paved.config.ServiceSpec.Probe;
import dev.paved.config.SourceMap;
import dev.paved.config.Workload;
import dev.paved.config.Workers;
import dev.paved.config.Workloads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Config to Kubernetes objects. For each environment and each service that runs there:
 * ServiceAccount, Deployment, Service (when ports are declared), HorizontalPodAutoscaler
 * (autoscaling), PodDisruptionBudget (staging/prod with more than one replica), Ingress
 * (route), and the service's raw manifests; plus the environment's Namespaces when it owns
 * them. Every object carries the {@code app.kubernetes.io/*} and {@code paved.dev/*} labels.
 */
public final class Renderer {

  /** Kinds known to be cluster-scoped: a raw manifest of these kinds gets no namespace. */
  public static final Set<String> CLUSTER_SCOPED = ApiKinds.BUILTIN_CLUSTER_SCOPED;

  private static final String CONTAINER = "/spec/template/spec/containers/0";

  private Renderer() {}

  /** Resolves the workloads of {@code platform} and renders them at {@code commit}, on the caller's thread. */
  public static RenderResult render(Platform platform, String commit) {
    return render(platform, commit, Workers.sequential());
  }

  /** Resolves the workloads of {@code platform} and renders them at {@code commit}, on {@code workers}. */
  public static RenderResult render(Platform platform, String commit, Workers workers) {
    return render(platform, commit, workers, Pieces.none(), service -> false).result();
  }

  /**
   * A render's result, the pieces a later render may reuse ({@link Pieces}), how many objects
   * were rendered afresh and how many were taken from earlier pieces (restamped: new nodes for
   * their metadata only).
   */
  public record Rendered(RenderResult result, Pieces pieces, int renderedObjects, int reusedObjects) {}

  /**
   * Renders {@code platform} at {@code commit} like {@link #render(Platform, String, Workers)},
   * taking the pair (environment, service) of every service {@code reusable} accepts from {@code
   * previous} when it holds it, restamped with {@code commit}. The caller vouches that what a pair
   * depends on did not change for those services: the service's declaration, its environments,
   * their clusters and the kinds known offline. Each environment's own objects (namespaces,
   * RoleBindings), the duplicate check and the apply order are always computed afresh.
   */
  public static Rendered render(Platform platform, String commit, Workers workers, Pieces previous,
      Predicate<String> reusable) {
    List<Platform.Deployment> pairs = platform.deployments();
    // Pairs resolve and render independently (pure functions): spread them over the workers, keep the order.
    List<Pieces.Piece> done = workers.map(pairs, p -> {
      Pieces.Piece before = reusable.test(p.service().name())
          ? previous.get(p.environment().name(), p.service().name()) : null;
      if (before != null) {
        return Pieces.at(before, commit);
      }
      Workloads.Result r = Workloads.resolve(platform, p.service(), p.environment());
      List<DesiredObject> objects = r.workloads().isEmpty() ? List.of()
          : renderWorkload(r.workloads().get(0), commit, platform.kinds());
      return new Pieces.Piece(r.workloads().isEmpty() ? null : r.workloads().get(0), r.diagnostics(), objects);
    });
    Pieces.Builder pieces = new Pieces.Builder();
    int fresh = 0;
    int reused = 0;
    List<Workload> workloads = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    Map<String, List<DesiredObject>> byEnv = new TreeMap<>();
    for (Environment env : platform.environments().values()) {
      byEnv.put(env.name(), new ArrayList<>());
    }
    Map<String, Set<String>> namespaceTeams = new TreeMap<>();
    for (int i = 0; i < pairs.size(); i++) {
      Pieces.Piece piece = done.get(i);
      Pieces.Piece before = previous.get(pairs.get(i).environment().name(), pairs.get(i).service().name());
      if (before == null || before.workload() != piece.workload()) {
        fresh += piece.objects().size();
      } else {
        reused += piece.objects().size();
      }
      pieces.put(pairs.get(i).environment().name(), pairs.get(i).service().name(), piece);
      problems.addAll(piece.problems());
      Workload w = piece.workload();
      if (w != null) {
        workloads.add(w);
        byEnv.get(w.environment().name()).addAll(piece.objects());
        namespaceTeams.computeIfAbsent(w.environment().name() + "/" + w.namespace(), k -> new TreeSet<>()).add(w.team());
      }
    }
    // Each environment is finished (namespaces, duplicate check, apply order) on its own: spread
    // them over the workers too, then collect in environment order.
    List<Environment> environments = List.copyOf(platform.environments().values());
    List<Finished> finished = workers.map(environments,
        env -> finish(platform, env, byEnv.get(env.name()), namespaceTeams, commit));
    Map<String, EnvironmentState> states = new TreeMap<>();
    for (Finished f : finished) {
      problems.addAll(f.duplicates());
      states.put(f.state().environment(), f.state());
    }
    return new Rendered(new RenderResult(new DesiredState(commit, states), workloads, problems), pieces.build(),
        fresh, reused);
  }

  private record Finished(EnvironmentState state, List<Diagnostic> duplicates) {}

  private static Finished finish(Platform platform, Environment env, List<DesiredObject> objects,
      Map<String, Set<String>> namespaceTeams, String commit) {
    if (env.createNamespaces()) {
      namespaceTeams.forEach((key, teams) -> {
        if (key.startsWith(env.name() + "/")) {
          objects.add(namespace(env, key.substring(env.name().length() + 1), teams, commit));
        }
      });
    }
    Set<String> teams = new TreeSet<>();
    namespaceTeams.forEach((key, t) -> {
      if (key.startsWith(env.name() + "/")) {
        teams.addAll(t);
      }
    });
    Map<String, Identity> identities = TeamRbac.identities(platform, env, teams);
    objects.addAll(TeamRbac.roleBindings(env, namespaceTeams, identities, commit));
    objects.addAll(TeamRbac.clusterRoles(platform, env, identities, commit));
    List<Diagnostic> duplicates = duplicates(objects);
    return new Finished(new EnvironmentState(env.name(), env.tier(), env.cluster(), objects, identities), duplicates);
  }

  private static List<Diagnostic> duplicates(List<DesiredObject> objects) {
    Map<ObjectKey, DesiredObject> seen = new HashMap<>();
    List<Diagnostic> out = new ArrayList<>();
    List<DesiredObject> unique = new ArrayList<>();
    for (DesiredObject o : objects) {
      DesiredObject first = seen.putIfAbsent(o.key(), o);
      if (first != null) {
        out.add(Diagnostic.error(o.origin(), "duplicate-object", o.key() + " is rendered twice, here and from "
            + first.origin() + "; rename one of them"));
      } else {
        unique.add(o);
      }
    }
    objects.clear();
    objects.addAll(unique);
    return out;
  }

  private static DesiredObject namespace(Environment env, String name, Set<String> teams, String commit) {
    Map<String, String> labels = new TreeMap<>(env.labels());
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    labels.put(Labels.ENVIRONMENT, env.name());
    if (teams.size() == 1) {
      labels.put(Labels.TEAM, teams.iterator().next());
    }
    ObjectNode tree = Json.resource("v1", "Namespace");
    tree.set("metadata", Json.metadata(name, null, labels, annotations(env.file(), commit)));
    Location at = env.document().sourceMap().value("/namespace");
    return new DesiredObject(ObjectKey.of(tree), tree, null, at, Map.of());
  }

  private static Map<String, String> annotations(String file, String commit) {
    Map<String, String> a = new TreeMap<>();
    a.put(Labels.SOURCE_FILE, file);
    a.put(Labels.SOURCE_COMMIT, commit);
    return a;
  }

  /** Labels of every object of a workload (without the version, which changes per release). */
  static Map<String, String> labels(Workload w) {
    Map<String, String> l = new TreeMap<>(w.environment().labels());
    l.putAll(w.spec().labels());
    l.putAll(selector(w));
    l.put(Labels.MANAGED_BY, Labels.MANAGER);
    l.put(Labels.ENVIRONMENT, w.environment().name());
    l.put(Labels.SERVICE, w.name());
    l.put(Labels.TEAM, w.team());
    return l;
  }

  static Map<String, String> selector(Workload w) {
    Map<String, String> s = new TreeMap<>();
    s.put(Labels.NAME, w.name());
    s.put(Labels.INSTANCE, w.name() + "-" + w.environment().name());
    return s;
  }

  /** A new object of a workload: apiVersion, kind, metadata; the caller adds the spec. */
  private static ObjectNode resource(Workload w, String apiVersion, String kind, String commit,
      Map<String, String> labels) {
    ObjectNode o = Json.resource(apiVersion, kind);
    o.set("metadata", Json.metadata(w.name(), w.namespace(), labels, annotations(w.service().file(), commit)));
    return o;
  }

  private static List<DesiredObject> renderWorkload(Workload w, String commit, ApiKinds kinds) {
    ServiceSpec s = w.spec();
    List<DesiredObject> out = new ArrayList<>();
    Map<String, String> labels = labels(w);
    Location origin = w.service().document().location();
    Map<String, Location> common = new HashMap<>();
    common.put("/metadata/labels", w.locate("/labels"));
    common.put("/metadata/namespace", w.environment().document().sourceMap().value("/namespace"));

    ObjectNode account = resource(w, "v1", "ServiceAccount", commit, labels);
    account.put("automountServiceAccountToken", false);
    out.add(object(w, account, origin, common));

    Map<String, String> versioned = new TreeMap<>(labels);
    version(s.image()).ifPresent(v -> versioned.put(Labels.VERSION, v));
    ObjectNode deployment = resource(w, "apps/v1", "Deployment", commit, versioned);
    ObjectNode spec = deployment.putObject("spec");
    if (s.autoscaling() == null) {
      spec.put("replicas", s.replicas() == null ? 1 : s.replicas());
    }
    spec.putObject("selector").set("matchLabels", Json.strings(selector(w)));
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").set("labels", Json.strings(versioned));
    ObjectNode podSpec = template.putObject("spec");
    ObjectNode container = container(w);
    podSpec.putArray("containers").add(container);
    podSpec.put("serviceAccountName", w.name());
    Map<String, Location> fields = new HashMap<>(common);
    fields.put("/spec/replicas", w.locate("/replicas"));
    fields.put(CONTAINER + "/image", w.locate("/image"));
    fields.put(CONTAINER + "/image#repository", w.locate("/image/repository"));
    fields.put(CONTAINER + "/image#tag", w.locate(s.image().digest() != null ? "/image/digest" : "/image/tag"));
    fields.put(CONTAINER + "/resources", w.locate("/resources"));
    fields.put(CONTAINER + "/resources/requests", w.locate("/resources/requests"));
    fields.put(CONTAINER + "/resources/limits", w.locate("/resources/limits"));
    fields.put(CONTAINER + "/livenessProbe", w.locate("/probes/liveness"));
    fields.put(CONTAINER + "/readinessProbe", w.locate("/probes/readiness"));
    fields.put(CONTAINER + "/startupProbe", w.locate("/probes/startup"));
    fields.put(CONTAINER + "/ports", w.locate("/ports"));
    JsonNode env = container.path("env");
    for (int i = 0; i < env.size(); i++) {
      fields.put(CONTAINER + "/env/" + i, w.locate("/variables/" + SourceMap.token(env.get(i).path("name").asText())));
    }
    out.add(object(w, deployment, origin, fields));

    if (!s.ports().isEmpty()) {
      ObjectNode svc = resource(w, "v1", "Service", commit, labels);
      ObjectNode svcSpec = svc.putObject("spec");
      ArrayNode ports = svcSpec.putArray("ports");
      for (Port p : s.ports()) {
        ports.addObject().put("name", p.name()).put("port", p.port()).put("protocol", p.protocolOrDefault())
            .put("targetPort", p.name());
      }
      svcSpec.set("selector", Json.strings(selector(w)));
      svcSpec.put("type", "ClusterIP");
      out.add(object(w, svc, w.locate("/ports"), common));
    }

    if (s.autoscaling() != null) {
      ObjectNode hpa = resource(w, "autoscaling/v2", "HorizontalPodAutoscaler", commit, labels);
      ObjectNode hpaSpec = hpa.putObject("spec");
      hpaSpec.put("maxReplicas", s.autoscaling().maxReplicas());
      ObjectNode metric = hpaSpec.putArray("metrics").addObject();
      ObjectNode resource = metric.putObject("resource");
      resource.put("name", "cpu");
      resource.putObject("target").put("averageUtilization", s.autoscaling().targetOrDefault()).put("type", "Utilization");
      metric.put("type", "Resource");
      hpaSpec.put("minReplicas", s.autoscaling().minReplicas());
      hpaSpec.putObject("scaleTargetRef").put("apiVersion", "apps/v1").put("kind", "Deployment").put("name", w.name());
      Map<String, Location> hpaFields = new HashMap<>(common);
      hpaFields.put("/spec/minReplicas", w.locate("/autoscaling/minReplicas"));
      hpaFields.put("/spec/maxReplicas", w.locate("/autoscaling/maxReplicas"));
      out.add(object(w, hpa, w.locate("/autoscaling"), hpaFields));
    }

    int minReplicas = s.autoscaling() != null ? s.autoscaling().minReplicas() : s.replicas() == null ? 1 : s.replicas();
    if (w.environment().prodLike() && minReplicas > 1) {
      ObjectNode pdb = resource(w, "policy/v1", "PodDisruptionBudget", commit, labels);
      ObjectNode pdbSpec = pdb.putObject("spec");
      pdbSpec.put("maxUnavailable", 1);
      pdbSpec.putObject("selector").set("matchLabels", Json.strings(selector(w)));
      out.add(object(w, pdb, w.locate(s.autoscaling() != null ? "/autoscaling" : "/replicas"), common));
    }

    if (s.route() != null) {
      String port = s.route().port() != null ? s.route().port() : s.ports().get(0).name();
      ObjectNode ingress = resource(w, "networking.k8s.io/v1", "Ingress", commit, labels);
      ObjectNode ingressSpec = ingress.putObject("spec");
      if (s.route().ingressClassName() != null) {
        ingressSpec.put("ingressClassName", s.route().ingressClassName());
      }
      ObjectNode rule = ingressSpec.putArray("rules").addObject();
      rule.put("host", s.route().host());
      ObjectNode path = rule.putObject("http").putArray("paths").addObject();
      ObjectNode backend = path.putObject("backend").putObject("service");
      backend.put("name", w.name());
      if (Workloads.digits(port)) {
        backend.putObject("port").put("number", Integer.parseInt(port));
      } else {
        backend.putObject("port").put("name", port);
      }
      path.put("path", s.route().pathOrDefault());
      path.put("pathType", "Prefix");
      if (s.route().tlsSecret() != null) {
        ObjectNode tls = ingressSpec.putArray("tls").addObject();
        tls.putArray("hosts").add(s.route().host());
        tls.put("secretName", s.route().tlsSecret());
      }
      Map<String, Location> ingressFields = new HashMap<>(common);
      ingressFields.put("/spec/rules/0/host", w.locate("/route/host"));
      out.add(object(w, ingress, w.locate("/route"), ingressFields));
    }

    for (RawManifest m : w.service().manifests()) {
      out.add(raw(w, m, labels, commit, kinds));
    }
    return out;
  }

  private static java.util.Optional<String> version(ServiceSpec.Image image) {
    if (image.digest() == null && image.tag() != null) {
      return java.util.Optional.of(image.tag());
    }
    return java.util.Optional.empty();
  }

  private static DesiredObject object(Workload w, ObjectNode tree, Location origin, Map<String, Location> fields) {
    return new DesiredObject(ObjectKey.of(tree), tree, w.name(), origin, fields);
  }

  private static ObjectNode container(Workload w) {
    ServiceSpec s = w.spec();
    ObjectNode c = Json.object();
    if (s.args() != null) {
      c.set("args", Json.strings(s.args()));
    }
    if (s.command() != null) {
      c.set("command", Json.strings(s.command()));
    }
    if (!s.variables().isEmpty()) {
      ArrayNode env = c.putArray("env");
      s.variables().forEach((name, v) -> env.add(envVar(name, v)));
    }
    c.put("image", s.image().reference());
    if (s.probes() != null) {
      putProbe(c, "livenessProbe", s.probes().liveness());
    }
    c.put("name", w.name());
    if (!s.ports().isEmpty()) {
      ArrayNode ports = c.putArray("ports");
      for (Port p : s.ports()) {
        ports.addObject().put("containerPort", p.port()).put("name", p.name()).put("protocol", p.protocolOrDefault());
      }
    }
    if (s.probes() != null) {
      putProbe(c, "readinessProbe", s.probes().readiness());
    }
    if (s.resources() != null) {
      ObjectNode r = c.putObject("resources");
      if (!s.resources().limits().isEmpty()) {
        r.set("limits", Json.strings(s.resources().limits()));
      }
      if (!s.resources().requests().isEmpty()) {
        r.set("requests", Json.strings(s.resources().requests()));
      }
    }
    if (s.probes() != null) {
      putProbe(c, "startupProbe", s.probes().startup());
    }
    return c;
  }

  private static ObjectNode envVar(String name, ServiceSpec.Variable v) {
    ObjectNode e = Json.object().put("name", name);
    if (v.isLiteral()) {
      return e.put("value", v.literal());
    }
    boolean secret = v.secret() != null;
    KeyRef r = secret ? v.secret() : v.configMap();
    ObjectNode ref = e.putObject("valueFrom").putObject(secret ? "secretKeyRef" : "configMapKeyRef");
    ref.put("key", r.key()).put("name", r.name());
    if (r.optional() != null) {
      ref.put("optional", r.optional());
    }
    return e;
  }

  private static void putProbe(ObjectNode container, String field, Probe p) {
    if (p == null) {
      return;
    }
    ObjectNode probe = container.putObject(field);
    if (p.exec() != null) {
      probe.putObject("exec").set("command", Json.strings(p.exec().command()));
    }
    if (p.failureThreshold() != null) {
      probe.put("failureThreshold", p.failureThreshold());
    }
    if (p.http() != null) {
      ObjectNode http = probe.putObject("httpGet").put("path", p.http().path());
      port(http, p.http().port());
    }
    if (p.initialDelaySeconds() != null) {
      probe.put("initialDelaySeconds", p.initialDelaySeconds());
    }
    if (p.periodSeconds() != null) {
      probe.put("periodSeconds", p.periodSeconds());
    }
    if (p.tcp() != null) {
      port(probe.putObject("tcpSocket"), p.tcp().port());
    }
    if (p.timeoutSeconds() != null) {
      probe.put("timeoutSeconds", p.timeoutSeconds());
    }
  }

  /** An int-or-string port: a number when it is all digits, else a port name. */
  private static void port(ObjectNode holder, String port) {
    if (Workloads.digits(port)) {
      holder.put("port", Integer.parseInt(port));
    } else {
      holder.put("port", port);
    }
  }

  /**
   * The exit door: a raw manifest, passed through with Paved's labels and annotations, and
   * the service's namespace when it is namespaced (as far as is known offline: built in, or a
   * CRD of the repo) and declares none.
   */
  private static DesiredObject raw(Workload w, RawManifest m, Map<String, String> labels, String commit,
      ApiKinds kinds) {
    ObjectNode tree = m.object();
    ObjectNode meta = tree.with("metadata");
    String kind = tree.path("kind").asText();
    if (!kinds.isClusterScoped(kind) && !meta.hasNonNull("namespace")) {
      meta.put("namespace", w.namespace());
    }
    // labels/annotations may be absent or written empty (null): both mean "none"
    JsonNode l = meta.path("labels");
    Map<String, String> merged = new TreeMap<>();
    l.fields().forEachRemaining(e -> merged.put(e.getKey(), e.getValue().asText()));
    labels.forEach((k, v) -> {
      if (k.startsWith("paved.dev/") || k.equals(Labels.MANAGED_BY) || !merged.containsKey(k)) {
        merged.put(k, v);
      }
    });
    meta.remove("labels");
    ObjectNode newLabels = meta.putObject("labels");
    merged.forEach(newLabels::put);
    JsonNode a = meta.path("annotations");
    Map<String, String> ann = new TreeMap<>();
    a.fields().forEachRemaining(e -> ann.put(e.getKey(), e.getValue().asText()));
    ann.putAll(annotations(m.file(), commit));
    meta.remove("annotations");
    ObjectNode newAnn = meta.putObject("annotations");
    ann.forEach(newAnn::put);
    Map<String, Location> fields = new LinkedHashMap<>(m.document().sourceMap().values());
    return new DesiredObject(ObjectKey.of(tree), tree, w.name(), m.document().location(), fields);
  }

  /** Whether a kind is known to be cluster-scoped. */
  public static boolean clusterScoped(JsonNode manifest) {
    return CLUSTER_SCOPED.contains(manifest.path("kind").asText());
  }
}
