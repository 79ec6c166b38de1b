package dev.paved.bench;

import dev.paved.apply.DirectLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.LiveState;
import dev.paved.apply.PruneGuard;
import dev.paved.apply.ResourceManager;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Manifests;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.reconcile.TargetSync;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import dev.paved.testing.ControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Benchmark of the cluster engine on the real control plane: cold sync of a generated platform
 * (one environment, 4 objects per service) against {@code kubectl apply --server-side} of the
 * same rendered YAML in the same run, then a no-op reconcile (writes and dry-runs sent).
 * Not a test: run with {@code mvn -Pbench-engine verify} (see CONTRIBUTING.md).
 */
public final class EngineBenchmark {

  private EngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1000};
    Path script = Path.of(System.getProperty("paved.basedir", ".")).resolve("scripts/control-plane").toAbsolutePath();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ControlPlane cp = ControlPlane.start(script); KubernetesClient client = cp.newClient()) {
      Path kubectl = Path.of(run(script.toString(), "bin-dir").strip()).resolve("kubectl");
      System.out.printf("%-9s %-8s %-14s %-14s %-8s %-14s %-10s %-10s%n", "services", "objects", "paved cold ms",
          "kubectl ms", "ratio", "no-op ms", "writes", "dry-runs");
      for (int n : sizes) {
        EnvironmentState paved = render(n, "paved" + n);
        EnvironmentState baseline = render(n, "kubectl" + n);
        // Baseline: the same rendered YAML (its own namespaces), applied by kubectl server-side.
        Path yaml = Files.createTempFile("paved-bench-", ".yaml");
        Files.writeString(yaml, Manifests.toYamlStream(baseline.objects()));
        long k0 = System.nanoTime();
        run(kubectl.toString(), "--kubeconfig", cp.kubeconfig().toString(), "apply", "--server-side",
            "--field-manager", "kubectl-bench", "-f", yaml.toString());
        long kubectlMs = (System.nanoTime() - k0) / 1_000_000;

        Function<LiveState, ResourceManager> managers = live -> new ResourceManager(client, "paved", live, pool);
        ResourceManager cold = managers.apply(new DirectLiveState(client));
        InventoryStore inventory = new InventoryStore(client, "paved");
        long p0 = System.nanoTime();
        TargetSync.Result first = TargetSync.run(paved, PruneGuard.Policy.defaults(), "c1", cold, inventory,
            TargetSync.Options.defaults());
        long pavedMs = (System.nanoTime() - p0) / 1_000_000;
        if (!first.synced()) {
          throw new IllegalStateException("cold sync failed: " + first.changes().summary() + " " + first.error());
        }
        ResourceManager noop = managers.apply(new DirectLiveState(client));
        long n0 = System.nanoTime();
        TargetSync.run(paved, PruneGuard.Policy.defaults(), "c1", noop, inventory, TargetSync.Options.defaults());
        long noopMs = (System.nanoTime() - n0) / 1_000_000;
        System.out.printf("%-9d %-8d %-14d %-14d %-8.2f %-14d %-10d %-10d%n", n, paved.objects().size(), pavedMs,
            kubectlMs, (double) pavedMs / kubectlMs, noopMs, noop.writes(), noop.dryRuns());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static EnvironmentState render(int services, String env) {
    Map<String, SourceFile> files = new HashMap<>();
    put(files, "clusters/local.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\nconnection:\n  inCluster: true\n");
    put(files, "environments/" + env + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: dev\n"
        + "cluster: local\nnamespace: \"{team}-" + env + "\"\n");
    String[] teams = {"payments", "storefront", "platform", "data", "search"};
    for (int i = 0; i < services; i++) {
      put(files, "services/svc-" + i + "/service.yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: Service
          team: %s
          image:
            repository: registry.example.com/%s/svc-%d
            tag: "1.%d.0"
          ports:
            - name: http
              port: 8080
          variables:
            LOG_LEVEL: info
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          route:
            host: svc-%d.${environment.name}.example.com
          """.formatted(teams[i % teams.length], teams[i % teams.length], i, i % 7, i));
    }
    Evaluation e = Evaluator.evaluate(new ConfigTree("bench", files));
    if (e.hasErrors()) {
      throw new IllegalStateException(e.problems().toString());
    }
    return e.desired().orElseThrow().environment(env).orElseThrow();
  }

  private static void put(Map<String, SourceFile> files, String path, String text) {
    files.put(path, SourceFile.of(path, text));
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
