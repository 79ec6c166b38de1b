package dev.paved.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.paved.config.Workers;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Incremental evaluation is evaluation: over chains of random commits on {@code
 * examples/platform} (services edited, added, removed and renamed; overrides and raw manifests
 * added, changed and removed, CRDs among them; environments, clusters, policies, teams and
 * platform.yaml changed; files broken and mended), each commit evaluated from the previous
 * commit's evaluation gives exactly what an evaluation from scratch gives: diagnostics, findings,
 * workloads and the desired state of every environment. A failure names its seed:
 * {@code -Dtest=IncrementalEvaluationTest -Dpaved.incremental.seed=S -Dpaved.incremental.runs=1}
 * replays it.
 */
class IncrementalEvaluationTest {

  private static final Path PLATFORM = Path.of("examples/platform");
  private static final long SEED = Long.getLong("paved.incremental.seed", 20261202L);
  private static final int RUNS = Integer.getInteger("paved.incremental.runs", 30);
  private static final int COMMITS = 8;
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String[] ENVS = {"dev", "staging", "prod"};
  private static final String[] TEAMS = {"payments", "storefront", "platform"};
  private static final Workers WORKERS = Workers.of(2, "incremental-test");

  @AfterAll
  static void close() {
    WORKERS.close();
  }

  @Test
  void everyCommitEvaluatesIncrementallyAsFromScratch() {
    Map<String, SourceFile> pristine = read(PLATFORM);
    List<String> failures = new ArrayList<>();
    int incrementalRenders = 0;
    for (int run = 0; run < RUNS; run++) {
      long seed = SEED + run;
      Random random = new Random(seed);
      Map<String, SourceFile> files = new TreeMap<>(pristine);
      Evaluation previous = Evaluator.evaluate(new ConfigTree("c0", files), WORKERS);
      List<String> applied = new ArrayList<>();
      for (int commit = 1; commit <= COMMITS; commit++) {
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
          applied.add(commit + ":" + mutate(files, pristine, random));
        }
        if (random.nextInt(5) == 0) {
          // Not shared with the previous tree: the same bytes in new objects (a directory source).
          files.replaceAll((path, f) -> f.problemText().isPresent() ? f : SourceFile.of(path, f.bytes()));
        }
        ConfigTree tree = new ConfigTree("c" + commit + "-" + seed, files);
        Evaluation incremental = Evaluator.evaluate(tree, previous, WORKERS);
        Evaluation full = Evaluator.evaluate(tree, Workers.sequential());
        String why = "seed " + seed + " (replay: -Dpaved.incremental.seed=" + seed
            + " -Dpaved.incremental.runs=1), commit " + commit + ", changes " + applied;
        try {
          assertSame(incremental, full, why);
        } catch (AssertionError e) {
          failures.add(e.getMessage());
          break;
        }
        if (previous.platform().isPresent() && incremental.platform().isPresent()) {
          incrementalRenders++;
        }
        previous = random.nextInt(4) == 0 ? full : incremental;
      }
    }
    assertThat(failures).as("%d of %d chains differ", failures.size(), RUNS).isEmpty();
    assertThat(incrementalRenders).as("commits evaluated from a valid platform").isGreaterThan(RUNS * COMMITS / 4);
  }

  @Test
  void aOneServiceCommitSharesTheOtherServicesObjects() {
    Map<String, SourceFile> files = read(PLATFORM);
    Evaluation first = Evaluator.evaluate(new ConfigTree("aaa", files), WORKERS);
    edit(files, "services/web/env/dev.yaml", t -> ((ObjectNode) t).put("replicas", 3));
    Evaluation second = Evaluator.evaluate(new ConfigTree("bbb", files), first, WORKERS);

    assertSame(second, Evaluator.evaluate(new ConfigTree("bbb", files)), "one override changed");
    DesiredObject catalogBefore = deployment(first, "dev", "catalog");
    DesiredObject catalogAfter = deployment(second, "dev", "catalog");
    assertThat(catalogAfter.manifest().get("spec")).as("an unchanged service's spec").isSameAs(
        catalogBefore.manifest().get("spec"));
    assertThat(catalogAfter.manifest().at("/metadata/annotations/" + Labels.SOURCE_COMMIT.replace("/", "~1"))
        .asText()).isEqualTo("bbb");
    assertThat(catalogBefore.manifest().at("/metadata/annotations/" + Labels.SOURCE_COMMIT.replace("/", "~1"))
        .asText()).as("the earlier evaluation is left as it was").isEqualTo("aaa");
    assertThat(deployment(second, "dev", "web").manifest().get("spec"))
        .isNotSameAs(deployment(first, "dev", "web").manifest().get("spec"));
    assertThat(deployment(second, "dev", "web").manifest().at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(second.platform().orElseThrow().services().get("catalog").document())
        .as("an unchanged file is not parsed again")
        .isSameAs(first.platform().orElseThrow().services().get("catalog").document());
  }

  @Test
  void theCacheEvaluatesFromTheEvaluationItComputedLastAndWeighsWhatIsNew() {
    Map<String, SourceFile> files = read(PLATFORM);
    EvaluationCache cache = EvaluationCache.byWeight(1_000_000, WORKERS);
    Evaluation first = cache.get("aaa", () -> new ConfigTree("aaa", files));
    edit(files, "services/web/env/dev.yaml", t -> ((ObjectNode) t).put("replicas", 3));
    Evaluation second = cache.get("bbb", () -> new ConfigTree("bbb", files));

    assertThat(second.platform().orElseThrow().services().get("catalog").document())
        .isSameAs(first.platform().orElseThrow().services().get("catalog").document());
    assertThat(second.weight()).as("one override parsed, one service's objects rendered")
        .isLessThan(first.weight() / 5).isGreaterThan(1);
    assertThat(cache.peek("aaa")).isSameAs(first);
  }

  private static DesiredObject deployment(Evaluation e, String env, String service) {
    return e.desired().orElseThrow().environment(env).orElseThrow().objects().stream()
        .filter(o -> o.key().kind().equals("Deployment") && o.key().name().equals(service)).findFirst().orElseThrow();
  }

  private static void assertSame(Evaluation incremental, Evaluation full, String why) {
    assertThat(incremental.revision()).as(why).isEqualTo(full.revision());
    assertThat(incremental.diagnostics()).as("diagnostics, %s", why).isEqualTo(full.diagnostics());
    assertThat(incremental.findings()).as("findings, %s", why).isEqualTo(full.findings());
    assertThat(incremental.platform().map(p -> p.services().keySet()))
        .as("services, %s", why).isEqualTo(full.platform().map(p -> p.services().keySet()));
    assertThat(incremental.rendered().map(r -> r.workloads())).as("workloads, %s", why)
        .isEqualTo(full.rendered().map(r -> r.workloads()));
    assertThat(incremental.desired().isPresent()).as("desired state present, %s", why)
        .isEqualTo(full.desired().isPresent());
    if (full.desired().isPresent()) {
      var a = incremental.desired().get();
      var b = full.desired().get();
      assertThat(a.environments().keySet()).as(why).isEqualTo(b.environments().keySet());
      for (String env : b.environments().keySet()) {
        var x = a.environments().get(env);
        var y = b.environments().get(env);
        assertThat(x.objects().stream().map(DesiredObject::key).toList()).as("objects of %s, %s", env, why)
            .isEqualTo(y.objects().stream().map(DesiredObject::key).toList());
        for (int i = 0; i < y.objects().size(); i++) {
          DesiredObject o = x.objects().get(i);
          DesiredObject p = y.objects().get(i);
          assertThat(o.manifest().toString()).as("%s in %s, %s", p.key(), env, why).isEqualTo(p.manifest().toString());
          assertThat(o).as("%s in %s, %s", p.key(), env, why).isEqualTo(p);
        }
        assertThat(x).as("environment %s, %s", env, why).isEqualTo(y);
      }
      assertThat(a).as(why).isEqualTo(b);
    }
  }

  // ---- random commits ----

  private static String mutate(Map<String, SourceFile> files, Map<String, SourceFile> pristine, Random r) {
    List<String> services = services(files);
    String svc = services.isEmpty() ? "web" : services.get(r.nextInt(services.size()));
    String env = ENVS[r.nextInt(ENVS.length)];
    String team = TEAMS[r.nextInt(TEAMS.length)];
    String serviceFile = "services/" + svc + "/service.yaml";
    switch (r.nextInt(24)) {
      case 0, 1 -> {
        String tag = pick(r, "1.0.0", "latest", "2.3.1", "1.14.3");
        edit(files, r.nextBoolean() ? serviceFile : "services/" + svc + "/env/" + env + ".yaml",
            t -> ((ObjectNode) t).putObject("image").put("tag", tag));
        return "image " + tag + " of " + svc;
      }
      case 2, 3 -> {
        int n = r.nextInt(26);
        edit(files, "services/" + svc + "/env/" + env + ".yaml", t -> ((ObjectNode) t).put("replicas", n));
        return "replicas " + n + " of " + svc + " in " + env;
      }
      case 4 -> {
        String name = pick(r, "API_TOKEN", "DB_PASSWORD", "GREETING", "PORT");
        edit(files, serviceFile, t -> ((ObjectNode) t).with("variables").put(name, "v" + r.nextInt(3)));
        return "variable " + name + " of " + svc;
      }
      case 5 -> {
        String to = r.nextInt(6) == 0 ? "ghosts" : team;
        edit(files, serviceFile, t -> ((ObjectNode) t).put("team", to));
        return "team " + to + " of " + svc;
      }
      case 6 -> {
        edit(files, serviceFile, t -> {
          if (r.nextBoolean()) {
            ((ObjectNode) t).remove("environments");
          } else {
            ArrayNode a = ((ObjectNode) t).putArray("environments");
            for (String e : ENVS) {
              if (r.nextInt(3) > 0) {
                a.add(e);
              }
            }
            a.add(env);
          }
        });
        return "environments of " + svc;
      }
      case 7, 8 -> {
        String name = "svc-" + r.nextInt(6);
        copyDir(files, "services/" + svc + "/", "services/" + name + "/");
        return "service " + name + " copied from " + svc;
      }
      case 9 -> {
        files.keySet().removeIf(p -> p.startsWith("services/" + svc + "/"));
        return "service " + svc + " removed";
      }
      case 10 -> {
        SourceFile f = files.remove(serviceFile);
        if (f != null) {
          String to = r.nextBoolean() ? "services/" + svc + "/service.yml" : serviceFile;
          files.put(to, SourceFile.of(to, f.bytes()));
          if (r.nextInt(3) == 0) {
            files.put(serviceFile, f); // both: a duplicate
          }
        }
        return "service.yaml of " + svc + " renamed";
      }
      case 11 -> {
        String path = "services/" + svc + "/env/" + env + ".yaml";
        if (files.remove(path) == null) {
          files.put(path, SourceFile.of(path, "apiVersion: paved.dev/v1alpha1\nkind: Override\nreplicas: 2\n"));
        }
        return "override " + env + " of " + svc + " toggled";
      }
      case 12, 13 -> {
        String other = services.isEmpty() ? svc : services.get(r.nextInt(services.size()));
        String manifest = switch (r.nextInt(7)) {
          case 0 -> "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + r.nextInt(3) + "\ndata:\n  a: b\n";
          case 1 -> "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: hpa-" + other
              + "\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: " + other + "}\n"
              + "  minReplicas: 1\n  maxReplicas: 30\n";
          case 2 -> "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + other + "\n";
          case 3 -> "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
              + "  name: widgets.example.com\nspec:\n  group: example.com\n  scope: " + pick(r, "Namespaced", "Cluster")
              + "\n  names: {kind: Widget, plural: widgets}\n  versions: [{name: v1, served: true, storage: true}]\n";
          case 4 -> "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
          case 5 -> "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\n"
              + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n"
              + "subjects: [{kind: ServiceAccount, name: " + other + "}]\n";
          default -> "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: " + team + "-" + env + "\n";
        };
        String path = "services/" + svc + "/manifests/m" + r.nextInt(3) + ".yaml";
        files.put(path, SourceFile.of(path, manifest));
        return "manifest " + path;
      }
      case 14 -> {
        files.keySet().removeIf(p -> p.startsWith("services/" + svc + "/manifests/"));
        return "manifests of " + svc + " removed";
      }
      case 15, 16 -> {
        String path = "environments/" + env + ".yaml";
        int what = r.nextInt(4);
        edit(files, path, t -> {
          ObjectNode o = (ObjectNode) t;
          switch (what) {
            case 0 -> o.put("createNamespaces", !o.path("createNamespaces").asBoolean(true));
            case 1 -> o.put("namespace", pick(r, "{team}-{env}", "{team}-{service}-{env}", "apps-{env}"));
            case 2 -> o.with("labels").put("zone", "z" + r.nextInt(3));
            default -> o.with("defaults").put("replicas", 1 + r.nextInt(3));
          }
        });
        return "environment " + env + " (" + what + ")";
      }
      case 17 -> {
        List<String> policies = files.keySet().stream().filter(p -> p.startsWith("policies/")).toList();
        if (policies.isEmpty()) {
          return "no policy";
        }
        String path = policies.get(r.nextInt(policies.size()));
        if (r.nextInt(3) == 0) {
          files.remove(path);
          return "policy " + path + " removed";
        }
        edit(files, path, t -> ((ObjectNode) t).put("enforcement", pick(r, "warn", "enforce")));
        return "policy " + path + " enforcement";
      }
      case 18 -> {
        String path = "teams/" + team + ".yaml";
        int what = r.nextInt(3);
        edit(files, path, t -> {
          ObjectNode o = (ObjectNode) t;
          switch (what) {
            case 0 -> o.with("namespaces").putArray(env).add("{team}-{env}").add(team + "-extra");
            case 1 -> o.putArray("kinds").add("ConfigMap").add("CronJob").add("NetworkPolicy").add("ServiceAccount");
            default -> o.putArray("clusterKinds").add("Namespace");
          }
        });
        return "team " + team + " (" + what + ")";
      }
      case 19 -> {
        edit(files, "platform.yaml", t -> ((ObjectNode) t).putArray("reservedNamespaces")
            .add(pick(r, "monitoring", "payments-prod", "kafka")));
        return "reserved namespaces";
      }
      case 20 -> {
        List<String> paths = new ArrayList<>(files.keySet());
        String path = paths.get(r.nextInt(paths.size()));
        files.put(path, SourceFile.of(path, "apiVersion: [broken\n"));
        return "broke " + path;
      }
      case 21 -> {
        String path = "clusters/nonprod.yaml";
        edit(files, path, t -> ((ObjectNode) t).with("labels").put("region", pick(r, "eu", "us")));
        return "cluster labels";
      }
      case 22 -> {
        if (files.remove("CODEOWNERS") == null) {
          files.put("CODEOWNERS", SourceFile.of("CODEOWNERS", "/services/ @someone\n"));
        }
        return "CODEOWNERS toggled";
      }
      default -> {
        // Mend: a random file (or all of one service) back as it was.
        List<String> paths = new ArrayList<>(pristine.keySet());
        String path = paths.get(r.nextInt(paths.size()));
        files.put(path, pristine.get(path));
        if (r.nextBoolean()) {
          pristine.forEach((p, f) -> {
            if (p.startsWith("services/" + svc + "/")) {
              files.put(p, f);
            }
          });
        }
        return "mended " + path;
      }
    }
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static List<String> services(Map<String, SourceFile> files) {
    return files.keySet().stream().filter(p -> p.startsWith("services/"))
        .map(p -> p.split("/")[1]).distinct().toList();
  }

  private static void copyDir(Map<String, SourceFile> files, String from, String to) {
    Map<String, SourceFile> copies = new TreeMap<>();
    files.forEach((p, f) -> {
      if (p.startsWith(from)) {
        String dest = to + p.substring(from.length());
        copies.put(dest, f.problemText().isPresent() ? SourceFile.unreadable(dest, f.problem())
            : SourceFile.of(dest, f.bytes()));
      }
    });
    files.putAll(copies);
  }

  /** Edits the YAML map at {@code path} (made when missing; left alone when it is not a map). */
  private static void edit(Map<String, SourceFile> files, String path, java.util.function.Consumer<JsonNode> change) {
    try {
      SourceFile f = files.get(path);
      JsonNode tree;
      if (f == null || f.problemText().isPresent()) {
        String kind = path.startsWith("services/") ? (path.contains("/env/") ? "Override" : "Service")
            : path.startsWith("environments/") ? "Environment" : path.startsWith("teams/") ? "Team"
                : path.startsWith("clusters/") ? "Cluster" : path.startsWith("policies/") ? "Policy" : "Platform";
        tree = YAML.createObjectNode().put("apiVersion", "paved.dev/v1alpha1").put("kind", kind);
      } else {
        try {
          tree = YAML.readTree(f.bytes());
        } catch (IOException e) {
          return; // broken: stays broken
        }
      }
      if (tree == null || !tree.isObject()) {
        return;
      }
      change.accept(tree);
      files.put(path, SourceFile.of(path, YAML.writeValueAsBytes(tree)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, SourceFile> read(Path root) {
    Map<String, SourceFile> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        out.put(rel, SourceFile.of(rel, Files.readAllBytes(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
