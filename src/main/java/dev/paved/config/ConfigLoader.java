package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Override;
import dev.paved.config.Declarations.Policy;
import dev.paved.config.Declarations.RawManifest;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Settings;
import dev.paved.config.Declarations.Team;
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

/**
 * Turns a {@link ConfigTree} into a {@link Platform}: classifies files by path
 * ({@link ConfigFile}), parses them, validates each against its kind's schema and its name,
 * builds the declarations, then runs the checks between files ({@link CrossChecks}). Every
 * problem of the tree is reported at once.
 */
public final class ConfigLoader {

  private final SchemaValidator schemas = SchemaValidator.instance();
  private final List<Diagnostic> diagnostics = new ArrayList<>();

  private ConfigLoader() {}

  /** Loads and validates the whole tree on the caller's thread. Never throws for a user's mistake. */
  public static LoadResult load(ConfigTree tree) {
    return load(tree, Workers.sequential());
  }

  /** Loads and validates the whole tree, reading the files on {@code workers}. Never throws for a user's mistake. */
  public static LoadResult load(ConfigTree tree, Workers workers) {
    return load(tree, workers, Reads.NONE).result();
  }

  /**
   * Loads and validates the whole tree like {@link #load(ConfigTree, Workers)}, taking from
   * {@code previous} what was read (parsed and checked against its schema) from each file whose
   * content has not changed: only changed files are parsed again. The result is the same as a
   * load from scratch; {@link Loaded#reads()} is what the next load may reuse.
   */
  public static Loaded load(ConfigTree tree, Workers workers, Reads previous) {
    ConfigLoader loader = new ConfigLoader();
    Map<String, Reads.Entry> next = new HashMap<>();
    java.util.concurrent.atomic.AtomicInteger parsed = new java.util.concurrent.atomic.AtomicInteger();
    LoadResult result = loader.run(tree, workers, previous == null ? Reads.NONE : previous, next, parsed);
    return new Loaded(result, new Reads(next), parsed.get());
  }

  /** A load's result, what the next load may reuse of it, and how many files it parsed (did not reuse). */
  public record Loaded(LoadResult result, Reads reads, int parsed) {}

  /**
   * What a load read from each file (parsed YAML, schema problems), by path, with the file it
   * was read from: immutable, shared between successive loads.
   */
  public static final class Reads {
    static final Reads NONE = new Reads(Map.of());

    private record Entry(SourceFile file, Read read) {}

    private final Map<String, Entry> byPath;

    private Reads(Map<String, Entry> byPath) {
      this.byPath = byPath;
    }

    /** Nothing read yet. */
    public static Reads none() {
      return NONE;
    }

    /** How many files are remembered. */
    public int size() {
      return byPath.size();
    }

    /** What was read from {@code file}, when it was read before with the same content; else null. */
    private Read of(SourceFile file) {
      Entry e = byPath.get(file.path());
      return e != null && e.file().sameContent(file) ? e.read() : null;
    }
  }

  private LoadResult run(ConfigTree tree, Workers workers, Reads previous, Map<String, Reads.Entry> remembered,
      java.util.concurrent.atomic.AtomicInteger parsedFiles) {
    Map<String, Cluster> clusters = new TreeMap<>();
    Map<String, Environment> environments = new TreeMap<>();
    Map<String, Policy> policies = new TreeMap<>();
    Map<String, Team> teams = new TreeMap<>();
    Settings settings = Settings.NONE;
    Map<String, YamlDocument> serviceDocs = new TreeMap<>();
    Map<String, String> serviceFiles = new HashMap<>();
    Map<String, Map<String, Override>> overrides = new TreeMap<>();
    Map<String, List<RawManifest>> manifests = new TreeMap<>();
    Map<String, String> seenNames = new HashMap<>();

    // Classifying, parsing and schema validation are per file and pure: do them on the workers
    // first, then collect in path order.
    List<SourceFile> files = new ArrayList<>(tree.files().values());
    List<Read> reads = workers.map(files, f -> {
      Read before = previous.of(f);
      if (before != null) {
        return before;
      }
      parsedFiles.incrementAndGet();
      return read(f);
    });
    for (int i = 0; i < reads.size(); i++) {
      if (reads.get(i) != null) {
        remembered.put(files.get(i).path(), new Reads.Entry(files.get(i), reads.get(i)));
      }
    }
    // Services with a service.yaml, readable or not (for the orphan check).
    Set<String> withServiceFile = new HashSet<>();
    for (int i = 0; i < reads.size(); i++) {
      Read read = reads.get(i);
      if (read == null) {
        continue;
      }
      ConfigFile where = read.where();
      if (where instanceof ConfigFile.ServiceFile s) {
        withServiceFile.add(s.service());
      }
      String path = where.path();
      if (where instanceof ConfigFile.Ignored) {
        diagnostics.add(Diagnostic.warning(Location.ofFile(path), "ignored-file",
            "file is ignored: Paved reads services/<name>/service.yaml, services/<name>/env/<environment>.yaml, "
                + "services/<name>/manifests/*.yaml, clusters/, environments/, policies/, teams/ and platform.yaml"));
        continue;
      }
      SourceFile file = files.get(i);
      if (file.problemText().isPresent()) {
        diagnostics.add(Diagnostic.error(Location.ofFile(path), "unreadable-file", file.problem()));
        continue;
      }
      YamlReader.Result parsed = read.parsed();
      diagnostics.addAll(parsed.diagnostics());
      if (!parsed.ok()) {
        continue;
      }
      if (where instanceof ConfigFile.ManifestFile m) {
        for (YamlDocument doc : parsed.documents()) {
          if (checkManifest(doc)) {
            manifests.computeIfAbsent(m.service(), k -> new ArrayList<>()).add(new RawManifest(m.service(), path, doc));
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
      if (where instanceof ConfigFile.Declaration d) {
        String name = d.name();
        if (!validName(path, name, d.kind().kindName().toLowerCase(Locale.ROOT), "file name", seenNames, d.dir())
            | !valid(read, doc)) {
          continue;
        }
        switch (d.kind()) {
          case CLUSTER -> clusters.put(name, Cluster.of(name, path, doc));
          case ENVIRONMENT -> environments.put(name, Environment.of(name, path, doc));
          case TEAM -> teams.put(name, Team.of(name, path, doc));
          case PLATFORM -> settings = Settings.of(path, doc);
          default -> policies.put(name, Policy.of(name, path, doc));
        }
      } else if (where instanceof ConfigFile.ServiceFile s) {
        if (!validName(path, s.service(), "service", "directory name", seenNames, "services") | !valid(read, doc)) {
          continue;
        }
        serviceDocs.put(s.service(), doc);
        serviceFiles.put(s.service(), path);
      } else if (where instanceof ConfigFile.OverrideFile o) {
        if (!validName(path, o.environment(), "environment", "file name", seenNames,
            "services/" + o.service() + "/env") | !valid(read, doc)) {
          continue;
        }
        overrides.computeIfAbsent(o.service(), k -> new TreeMap<>())
            .put(o.environment(), new Override(o.service(), o.environment(), path, doc));
      }
    }

    Map<String, Service> services = new TreeMap<>();
    for (Map.Entry<String, YamlDocument> e : serviceDocs.entrySet()) {
      String name = e.getKey();
      services.put(name, new Service(name, serviceFiles.get(name), e.getValue(),
          overrides.getOrDefault(name, Map.of()), manifests.getOrDefault(name, List.of())));
    }
    diagnostics.addAll(CrossChecks.check(tree.files().keySet(), services, environments, clusters, overrides,
        manifests, withServiceFile));
    ApiKinds kinds = ApiKinds.of(manifests.values());
    diagnostics.addAll(TenancyChecks.check(services, environments, teams, settings, kinds,
        name -> tree.files().containsKey("teams/" + name + ".yaml") || tree.files().containsKey("teams/" + name + ".yml")));

    boolean errors = diagnostics.stream().anyMatch(Diagnostic::isError);
    Optional<Platform> platform = errors ? Optional.empty()
        : Optional.of(new Platform(tree.revision(), services, environments, clusters, policies, teams, settings,
            kinds));
    platform.flatMap(p -> Codeowners.stale(tree, p)).ifPresent(diagnostics::add);
    return new LoadResult(platform, diagnostics);
  }

  /**
   * A file where it belongs, parsed (null when the file could not be read) and, when it holds
   * one map of a Paved kind, checked against the kind's schema (null when not checked).
   */
  private record Read(ConfigFile where, YamlReader.Result parsed, List<Diagnostic> schemaProblems) {}

  /** The file read; null for a file Paved does not look at. Pure: runs on any thread. */
  private Read read(SourceFile f) {
    ConfigFile where = ConfigFile.of(f.path());
    if (where == null || where instanceof ConfigFile.Ignored || f.problemText().isPresent()) {
      return where == null ? null : new Read(where, null, null);
    }
    YamlReader.Result parsed = YamlReader.read(f.path(), f.bytes());
    if (where.kind() == null || !parsed.ok() || parsed.documents().size() != 1
        || !parsed.documents().get(0).tree().isObject()) {
      return new Read(where, parsed, null);
    }
    return new Read(where, parsed, check(where.kind(), parsed.documents().get(0)));
  }

  private boolean valid(Read read, YamlDocument doc) {
    List<Diagnostic> problems = read.schemaProblems();
    if (problems == null) {
      problems = check(read.where().kind(), doc);
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
}
