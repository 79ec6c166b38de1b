package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Override;
import dev.paved.config.Declarations.Policy;
import dev.paved.config.Declarations.RawManifest;
import dev.paved.config.Declarations.Service;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link ConfigTree} into a {@link Platform}: classifies files by path, parses them,
 * validates each against its kind's schema, then runs the cross-file checks (names,
 * references, promotion cycles). Every problem of the tree is reported at once.
 */
public final class ConfigLoader {

  private static final Pattern YAML = Pattern.compile(".*\\.ya?ml");
  private static final Pattern TOP = Pattern.compile("(clusters|environments|policies)/([^/]+)\\.ya?ml");
  private static final Pattern SERVICE = Pattern.compile("services/([^/]+)/service\\.ya?ml");
  private static final Pattern OVERRIDE = Pattern.compile("services/([^/]+)/env/([^/]+)\\.ya?ml");
  private static final Pattern MANIFEST = Pattern.compile("services/([^/]+)/manifests/.+\\.ya?ml");

  private final SchemaValidator schemas = SchemaValidator.instance();
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  /** The paths of the tree being loaded. */
  private Set<String> paths = Set.of();

  private ConfigLoader() {}

  /** Loads and validates the whole tree. Never throws for a user's mistake. */
  public static LoadResult load(ConfigTree tree) {
    return new ConfigLoader().run(tree);
  }

  private LoadResult run(ConfigTree tree) {
    Map<String, Cluster> clusters = new TreeMap<>();
    Map<String, Environment> environments = new TreeMap<>();
    Map<String, Policy> policies = new TreeMap<>();
    Map<String, YamlDocument> serviceDocs = new TreeMap<>();
    Map<String, String> serviceFiles = new HashMap<>();
    Map<String, Map<String, Override>> overrides = new TreeMap<>();
    Map<String, List<RawManifest>> manifests = new TreeMap<>();
    Map<String, String> seenNames = new HashMap<>();
    paths = tree.files().keySet();

    // Classifying, parsing and schema validation are per file and pure: do them on all cores
    // first, then collect in path order.
    List<SourceFile> files = new ArrayList<>(tree.files().values());
    Slot[] slots = new Slot[files.size()];
    java.util.stream.IntStream.range(0, files.size()).parallel().forEach(i -> slots[i] = validated(slot(files.get(i))));
    // Services with a service.yaml, readable or not (for the orphan check).
    Set<String> withServiceFile = new HashSet<>();
    for (int i = 0; i < slots.length; i++) {
      Slot slot = slots[i];
      if (slot == null) {
        continue;
      }
      if (slot.type() == Slot.SERVICE) {
        withServiceFile.add(slot.a());
      }
      String path = slot.path();
      if (slot.type() == Slot.IGNORED) {
        diagnostics.add(Diagnostic.warning(Location.ofFile(path), "ignored-file",
            "file is ignored: Paved reads services/<name>/service.yaml, services/<name>/env/<environment>.yaml, "
                + "services/<name>/manifests/*.yaml, clusters/, environments/ and policies/"));
        continue;
      }
      SourceFile file = files.get(i);
      if (file.problemText().isPresent()) {
        diagnostics.add(Diagnostic.error(Location.ofFile(path), "unreadable-file", file.problem()));
        continue;
      }
      YamlReader.Result parsed = slot.parsed();
      diagnostics.addAll(parsed.diagnostics());
      if (!parsed.ok()) {
        continue;
      }
      if (slot.type() == Slot.MANIFEST) {
        String service = slot.a();
        for (YamlDocument doc : parsed.documents()) {
          if (checkManifest(doc)) {
            manifests.computeIfAbsent(service, k -> new ArrayList<>()).add(new RawManifest(service, path, doc));
          }
        }
        continue;
      }
      if (parsed.documents().size() != 1) {
        diagnostics.add(Diagnostic.error(parsed.documents().isEmpty() ? Location.ofFile(path)
                : parsed.documents().get(1).location(), "one-document",
            parsed.documents().isEmpty() ? "file is empty; it must hold one YAML document"
                : "file holds " + parsed.documents().size() + " YAML documents; put one per file"));
        continue;
      }
      YamlDocument doc = parsed.documents().get(0);
      if (!doc.tree().isObject()) {
        diagnostics.add(Diagnostic.error(doc.location(), "not-a-map",
            "the file must be a YAML map of fields, not a " + (doc.tree().isArray() ? "list" : "single value")));
        continue;
      }
      if (slot.type() == Slot.TOP) {
        String dir = slot.a();
        String name = slot.b();
        Kind kind = slot.kind();
        if (!validName(path, name, kind.kindName().toLowerCase(Locale.ROOT), "file name", seenNames, dir)
            | !valid(slot, doc)) {
          continue;
        }
        switch (kind) {
          case CLUSTER -> clusters.put(name, cluster(name, path, doc));
          case ENVIRONMENT -> environments.put(name, environment(name, path, doc));
          default -> policies.put(name, policy(name, path, doc));
        }
      } else if (slot.type() == Slot.SERVICE) {
        String name = slot.a();
        if (!validName(path, name, "service", "directory name", seenNames, "services") | !valid(slot, doc)) {
          continue;
        }
        serviceDocs.put(name, doc);
        serviceFiles.put(name, path);
      } else {
        String service = slot.a();
        String env = slot.b();
        if (!validName(path, env, "environment", "file name", seenNames, "services/" + service + "/env")
            | !valid(slot, doc)) {
          continue;
        }
        overrides.computeIfAbsent(service, k -> new TreeMap<>()).put(env, new Override(service, env, path, doc));
      }
    }

    Map<String, Service> services = new TreeMap<>();
    for (Map.Entry<String, YamlDocument> e : serviceDocs.entrySet()) {
      String name = e.getKey();
      services.put(name, new Service(name, serviceFiles.get(name), e.getValue(),
          overrides.getOrDefault(name, Map.of()), manifests.getOrDefault(name, List.of())));
    }
    orphans(overrides, manifests, withServiceFile);
    crossCheck(services, environments, clusters);

    boolean errors = diagnostics.stream().anyMatch(Diagnostic::isError);
    Optional<Platform> platform = errors ? Optional.empty()
        : Optional.of(new Platform(tree.revision(), services, environments, clusters, policies));
    return new LoadResult(platform, diagnostics);
  }

  /**
   * Where a file belongs, found by its path (TOP: a = directory, b = name; SERVICE: a = service;
   * OVERRIDE: a = service, b = environment; MANIFEST: a = service), with the file parsed and,
   * when it holds one map of a Paved kind, checked against the kind's schema ({@link #validated}).
   */
  private record Slot(String path, int type, String a, String b, Kind kind, YamlReader.Result parsed,
      List<Diagnostic> schemaProblems) {
    static final int IGNORED = 0;
    static final int TOP = 1;
    static final int SERVICE = 2;
    static final int OVERRIDE = 3;
    static final int MANIFEST = 4;
  }

  /** The file's slot; null for a file Paved does not look at (outside its directories, or not YAML). */
  private Slot slot(SourceFile f) {
    String path = f.path();
    if (!path.startsWith("services/") && !path.startsWith("clusters/")
        && !path.startsWith("environments/") && !path.startsWith("policies/")) {
      return null;
    }
    if (!YAML.matcher(path).matches()) {
      return null;
    }
    int type;
    String a;
    String b = null;
    Kind kind = null;
    Matcher m;
    if ((m = TOP.matcher(path)).matches()) {
      type = Slot.TOP;
      a = m.group(1);
      b = m.group(2);
      kind = switch (a) {
        case "clusters" -> Kind.CLUSTER;
        case "environments" -> Kind.ENVIRONMENT;
        default -> Kind.POLICY;
      };
    } else if ((m = SERVICE.matcher(path)).matches()) {
      type = Slot.SERVICE;
      a = m.group(1);
      kind = Kind.SERVICE;
    } else if ((m = OVERRIDE.matcher(path)).matches()) {
      type = Slot.OVERRIDE;
      a = m.group(1);
      b = m.group(2);
      kind = Kind.OVERRIDE;
    } else if ((m = MANIFEST.matcher(path)).matches()) {
      type = Slot.MANIFEST;
      a = m.group(1);
    } else {
      return new Slot(path, Slot.IGNORED, null, null, null, null, null);
    }
    if (f.problemText().isPresent()) {
      return new Slot(path, type, a, b, kind, null, null);
    }
    return new Slot(path, type, a, b, kind, YamlReader.read(path, f.bytes()), null);
  }

  /** The slot with its schema problems, when it holds one map of a Paved kind. */
  private Slot validated(Slot slot) {
    if (slot == null || slot.kind() == null || slot.parsed() == null) {
      return slot;
    }
    YamlReader.Result parsed = slot.parsed();
    if (!parsed.ok() || parsed.documents().size() != 1 || !parsed.documents().get(0).tree().isObject()) {
      return slot;
    }
    return new Slot(slot.path(), slot.type(), slot.a(), slot.b(), slot.kind(), parsed,
        check(slot.kind(), parsed.documents().get(0)));
  }

  private boolean valid(Slot slot, YamlDocument doc) {
    List<Diagnostic> problems = slot.schemaProblems();
    if (problems == null) {
      problems = check(slot.kind(), doc);
    }
    diagnostics.addAll(problems);
    return problems.isEmpty();
  }

  private List<Diagnostic> check(Kind kind, YamlDocument doc) {
    // In an override, null means "remove this field": it is valid anywhere, so the schema
    // sees the document without its nulls (a copy, made only when there are some).
    return kind == Kind.OVERRIDE && Merge.containsNull(doc.tree())
        ? schemas.validate(kind, Merge.withoutNulls(doc.tree()), doc.sourceMap())
        : schemas.validate(kind, doc);
  }

  private boolean validName(String path, String name, String what, String source, Map<String, String> seen,
      String scope) {
    if (!dnsLabel(name)) {
      diagnostics.add(Diagnostic.error(Location.ofFile(path), "bad-name", what + " name \"" + name + "\" (from the "
          + source + ") is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and '-', "
          + "starting and ending with a letter or digit"));
      return false;
    }
    String other = seen.putIfAbsent(scope + "/" + name, path);
    if (other != null) {
      diagnostics.add(Diagnostic.error(Location.ofFile(path), "duplicate-name", what + " \"" + name
          + "\" is declared twice, here and in " + other + "; keep one file"));
      return false;
    }
    return true;
  }

  /**
   * Whether {@code name} is a DNS-1123 label: at most 63 of a-z, 0-9 and '-', starting and
   * ending with a letter or digit (what {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} says, without a
   * regex: it is asked for every file and every workload's namespace).
   */
  static boolean dnsLabel(String name) {
    int n = name.length();
    if (n == 0 || n > 63 || name.charAt(0) == '-' || name.charAt(n - 1) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private boolean checkManifest(YamlDocument doc) {
    JsonNode t = doc.tree();
    String problem = null;
    if (!t.isObject()) {
      problem = "a Kubernetes manifest must be a map with apiVersion, kind and metadata";
    } else if (!t.path("apiVersion").isTextual() || t.path("apiVersion").asText().isEmpty()) {
      problem = "manifest has no \"apiVersion\"; add it (e.g. apps/v1)";
    } else if (!t.path("kind").isTextual() || t.path("kind").asText().isEmpty()) {
      problem = "manifest has no \"kind\"; add it (e.g. CronJob)";
    } else if (!t.path("metadata").path("name").isTextual()) {
      problem = "manifest has no \"metadata.name\"; every object needs a name";
    } else if (!isMapOrNull(t.path("metadata").get("labels")) || !isMapOrNull(t.path("metadata").get("annotations"))) {
      problem = "manifest \"metadata.labels\" and \"metadata.annotations\" must be maps of strings";
    } else if (t.path("kind").asText().equals("List") || t.path("kind").asText().endsWith("List")) {
      problem = "lists are not supported in manifests; write one document per object, separated by ---";
    } else if (t.path("kind").asText().equals("Secret")) {
      diagnostics.add(Diagnostic.warning(doc.location(), "secret-manifest",
          "a Secret in git exposes its values to everyone who can read the repo; prefer a sealed or external secret"));
    }
    if (problem != null) {
      diagnostics.add(Diagnostic.error(doc.location(), "bad-manifest", problem));
      return false;
    }
    return true;
  }

  private static boolean isMapOrNull(JsonNode n) {
    return n == null || n.isNull() || n.isObject();
  }

  private static Cluster cluster(String name, String file, YamlDocument doc) {
    JsonNode c = doc.tree().path("connection");
    JsonNode kc = c.path("kubeconfig");
    return new Cluster(name, file, c.path("inCluster").asBoolean(false), text(kc.get("file")), text(kc.get("context")));
  }

  private static Environment environment(String name, String file, YamlDocument doc) {
    JsonNode t = doc.tree();
    Map<String, String> labels = new TreeMap<>();
    t.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return new Environment(name, file, t.path("tier").asText(), t.path("cluster").asText(),
        t.has("namespace") ? t.get("namespace").asText() : "{team}-{env}",
        t.path("createNamespaces").asBoolean(true),
        "report".equals(t.path("drift").asText()) ? DriftMode.REPORT : DriftMode.CORRECT,
        text(t.get("promotesFrom")), labels, doc);
  }

  private static Policy policy(String name, String file, YamlDocument doc) {
    JsonNode t = doc.tree();
    return new Policy(name, file, t.path("rule").asText(), !"warn".equals(t.path("enforcement").asText()),
        text(t.get("description")), selector(t.get("match")), selector(t.get("exclude")), doc);
  }

  private static Selector selector(JsonNode n) {
    if (n == null) {
      return Selector.ALL;
    }
    return new Selector(list(n.get("tiers")), list(n.get("environments")), list(n.get("services")), list(n.get("teams")));
  }

  private static List<String> list(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private void orphans(Map<String, Map<String, Override>> overrides, Map<String, List<RawManifest>> manifests,
      Set<String> withServiceFile) {
    for (String service : overrides.keySet()) {
      if (!withServiceFile.contains(service)) {
        Override any = overrides.get(service).values().iterator().next();
        diagnostics.add(Diagnostic.error(Location.ofFile(any.file()), "orphan-file", "services/" + service
            + "/ has overrides but no service.yaml; add services/" + service + "/service.yaml or remove the directory"));
      }
    }
    for (String service : manifests.keySet()) {
      if (!withServiceFile.contains(service) && !overrides.containsKey(service)) {
        diagnostics.add(Diagnostic.error(Location.ofFile(manifests.get(service).get(0).file()), "orphan-file",
            "services/" + service + "/ has manifests but no service.yaml; add services/" + service + "/service.yaml"));
      }
    }
  }

  private void crossCheck(Map<String, Service> services, Map<String, Environment> environments,
      Map<String, Cluster> clusters) {
    for (Environment env : environments.values()) {
      SourceMap map = env.document().sourceMap();
      if (!clusters.containsKey(env.cluster()) && !declared("clusters", env.cluster())) {
        diagnostics.add(Diagnostic.error(map.value("/cluster"), "dangling-reference", "environment \"" + env.name()
            + "\" runs on cluster \"" + env.cluster() + "\", which is not declared"
            + Suggestions.hint(env.cluster(), clusters.keySet()) + "; add clusters/" + env.cluster()
            + ".yaml or fix the name"));
      }
      if (env.promotesFrom() != null) {
        if (!environments.containsKey(env.promotesFrom())) {
          if (!declared("environments", env.promotesFrom())) {
            diagnostics.add(Diagnostic.error(map.value("/promotesFrom"), "dangling-reference", "environment \""
                + env.name() + "\" promotes from \"" + env.promotesFrom() + "\", which is not declared"
                + Suggestions.hint(env.promotesFrom(), environments.keySet())));
          }
        } else {
          promotionCycle(env, environments);
        }
      }
    }
    for (Service svc : services.values()) {
      List<String> restricted = svc.environments();
      if (restricted != null) {
        for (int i = 0; i < restricted.size(); i++) {
          String e = restricted.get(i);
          if (!environments.containsKey(e) && !declared("environments", e)) {
            diagnostics.add(Diagnostic.error(svc.document().sourceMap().value("/environments/" + i),
                "dangling-reference", "service \"" + svc.name() + "\" lists environment \"" + e
                    + "\", which is not declared" + Suggestions.hint(e, environments.keySet())));
          }
        }
      }
      for (Override o : svc.overrides().values()) {
        if (!environments.containsKey(o.environment()) && declared("environments", o.environment())) {
          continue; // declared but invalid: its own errors are reported
        }
        if (!environments.containsKey(o.environment())) {
          diagnostics.add(Diagnostic.error(Location.ofFile(o.file()), "dangling-reference", "override for environment \""
              + o.environment() + "\", which is not declared" + Suggestions.hint(o.environment(), environments.keySet())
              + "; rename the file to one of: " + String.join(", ", environments.keySet())));
        } else if (restricted != null && !restricted.contains(o.environment())) {
          diagnostics.add(Diagnostic.error(Location.ofFile(o.file()), "unused-override", "service \"" + svc.name()
              + "\" does not run in environment \"" + o.environment() + "\" (see \"environments\" in "
              + svc.file() + "); add it there or remove this override"));
        }
      }
    }
  }

  /**
   * Whether a file for {@code name} exists in {@code scope}, even if it is invalid: a reference
   * to it is then not dangling (the file's own errors say what to fix).
   */
  private boolean declared(String scope, String name) {
    return paths.contains(scope + "/" + name + ".yaml") || paths.contains(scope + "/" + name + ".yml");
  }

  private void promotionCycle(Environment start, Map<String, Environment> environments) {
    List<String> chain = new ArrayList<>(List.of(start.name()));
    Environment cur = start;
    while (cur.promotesFrom() != null && environments.containsKey(cur.promotesFrom())) {
      String next = cur.promotesFrom();
      if (next.equals(start.name())) {
        chain.add(next);
        diagnostics.add(Diagnostic.error(start.document().sourceMap().value("/promotesFrom"), "promotion-cycle",
            "promotion cycle: " + String.join(" <- ", chain) + "; an environment cannot promote from itself, "
                + "directly or through others"));
        return;
      }
      if (chain.contains(next)) {
        return; // a cycle not through start: reported from its own members
      }
      chain.add(next);
      cur = environments.get(next);
    }
  }
}
