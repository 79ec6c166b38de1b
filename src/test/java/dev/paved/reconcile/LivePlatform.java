package dev.paved.reconcile;

import dev.paved.apply.InventoryStore;
import dev.paved.apply.PruneGuard;
import dev.paved.apply.ResourceManager;
import dev.paved.apply.DirectLiveState;
import dev.paved.config.Fixtures;
import dev.paved.desired.EnvironmentState;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny config repo for real-cluster tests: one environment (unique per test) whose every
 * service lands in the test's own namespace ({@code namespace: <ns>}, {@code createNamespaces:
 * false}), on a cluster reached through the control plane's kubeconfig (its current context).
 */
public final class LivePlatform {

  public final String namespace;
  public final String environment;
  private final Map<String, String> services = new LinkedHashMap<>();
  private final Map<String, String> extra = new LinkedHashMap<>();
  private String prune = "";
  private boolean withEnvironment = true;
  private String environmentExtra = "";
  private boolean impersonate;

  public LivePlatform(String namespace) {
    // The namespace ends in a random suffix: an environment (and inventory) per test.
    this(namespace, "env-" + namespace.substring(namespace.lastIndexOf('-') + 1));
  }

  /** A platform whose environment {@code environment} lands in {@code namespace}. */
  public LivePlatform(String namespace, String environment) {
    this.namespace = namespace;
    this.environment = environment;
  }

  /** Adds (or replaces) a service with one http port and image tag {@code tag}. */
  public LivePlatform service(String name, String tag) {
    return service(name, tag, "");
  }

  /** The same, with {@code extra} YAML appended (more top-level fields of service.yaml). */
  public LivePlatform service(String name, String tag, String extra) {
    services.put(name, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/%s
          tag: "%s"
        ports:
          - name: http
            port: 8080
        """.formatted(name, tag) + extra);
    return this;
  }

  public LivePlatform remove(String service) {
    services.remove(service);
    extra.keySet().removeIf(p -> p.startsWith("services/" + service + "/"));
    return this;
  }

  /** A raw manifest of {@code service} (services/&lt;service&gt;/manifests/&lt;file&gt;). */
  public LivePlatform manifest(String service, String file, String yaml) {
    extra.put("services/" + service + "/manifests/" + file, yaml);
    return this;
  }

  /** Any other file of the repo (e.g. platform.yaml). */
  public LivePlatform file(String path, String yaml) {
    extra.put(path, yaml);
    return this;
  }

  public LivePlatform withoutManifest(String service, String file) {
    extra.remove("services/" + service + "/manifests/" + file);
    return this;
  }

  /**
   * Makes Paved write the teams' objects as the teams, with the RoleBindings it renders (the
   * default of a real environment). Off by default here ({@code rbac: {impersonate: false}}): most
   * tests look at other things and count objects.
   */
  public LivePlatform impersonating() {
    this.impersonate = true;
    return this;
  }

  /** Leaves the environment's file out of the repo (or puts it back). */
  public LivePlatform environmentInRepo(boolean in) {
    this.withEnvironment = in;
    return this;
  }

  /** The body of the environment's {@code prune:} map, e.g. {@code "allowMassDeletion: true"}. */
  public LivePlatform prune(String body) {
    this.prune = body;
    return this;
  }

  /** More top-level fields of the environment file, as YAML (e.g. {@code onDegraded: ...}). */
  public LivePlatform environmentExtra(String yaml) {
    this.environmentExtra = yaml;
    return this;
  }

  public Fixtures fixtures() {
    Fixtures f = new Fixtures()
        .file("clusters/main.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Cluster
            """);
    if (withEnvironment) {
      f.file("environments/" + environment + ".yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            namespace: %s
            createNamespaces: false
            """.formatted(namespace) + (prune.isEmpty() ? "" : "prune:\n  " + prune.replace("\n", "\n  ") + "\n")
            + (impersonate ? "" : "rbac:\n  impersonate: false\n") + environmentExtra);
    }
    f.team("payments");
    services.forEach((name, yaml) -> f.file("services/" + name + "/service.yaml", yaml));
    extra.forEach(f::file);
    return f;
  }

  public Evaluation evaluate() {
    return evaluate("test");
  }

  /** Evaluates the repo as commit {@code commit} (stamped on every object). */
  public Evaluation evaluate(String commit) {
    Evaluation e = Evaluator.evaluate(new ConfigTree(commit, fixtures().tree().files()));
    if (e.blocked()) {
      throw new IllegalStateException("test platform does not validate: " + e.problems());
    }
    return e;
  }

  public EnvironmentState state() {
    return state("test");
  }

  public EnvironmentState state(String commit) {
    return evaluate(commit).desired().orElseThrow().environment(environment).orElseThrow();
  }

  public PruneGuard.Policy prunePolicy() {
    return TargetSync.prunePolicy(evaluate().platform().orElseThrow().environments().get(environment));
  }

  /** Writes the repo's files under {@code dir} (for the CLI), replacing what was there. */
  public Path writeTo(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
      }
    }
    for (SourceFile file : fixtures().tree().files().values()) {
      Path p = dir.resolve(file.path());
      Files.createDirectories(p.getParent());
      Files.write(p, file.bytes());
    }
    return dir;
  }

  /** A fresh engine (resource manager, inventory store, thread pool) on {@code client}. */
  public static Engine engine(KubernetesClient client) {
    return new Engine(client, dev.paved.apply.Owner.DEFAULT_REPO, InventoryStore.Options.defaults());
  }

  /** The same, with inventory options of its own (a smaller shard size). */
  public static Engine engine(KubernetesClient client, InventoryStore.Options inventory) {
    return new Engine(client, dev.paved.apply.Owner.DEFAULT_REPO, inventory);
  }

  /** A fresh engine that applies for config repo {@code repo}. */
  public static Engine engine(KubernetesClient client, String repo) {
    return new Engine(client, repo, InventoryStore.Options.defaults());
  }

  /** One engine instance: what a (re)started daemon holds in memory. */
  public static final class Engine implements AutoCloseable {
    public final ResourceManager manager;
    public final InventoryStore inventories;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);

    Engine(KubernetesClient client, String repo, InventoryStore.Options inventory) {
      manager = new ResourceManager(client, "paved", repo, new DirectLiveState(client), executor);
      inventories = new InventoryStore(client, "paved", repo, inventory);
    }

    public TargetSync.Result sync(LivePlatform platform, String commit) {
      return TargetSync.run(platform.state(commit), platform.prunePolicy(), commit, manager, inventories,
          TargetSync.Options.defaults());
    }

    @Override
    public void close() {
      manager.close();
      executor.shutdownNow();
    }
  }
}
