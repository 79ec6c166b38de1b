package dev.paved.bench;

import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.HashMap;
import java.util.Map;

/**
 * Benchmark of {@code paved validate} on a generated config repo of N services across 3
 * environments (service.yaml + 3 overrides each, 9 policies). First as a user runs it
 * ({@link CliValidate}: the jar in a JVM of its own with the launcher's options, the repo on
 * disk, JVM start included: wall and peak RSS, medians of several runs), then in-process (the
 * pure core after JVM start, per phase, with peak heap). Not a test: run with
 * {@code mvn -Pbench verify} (see CONTRIBUTING.md). Target (issue 14): 10,000 services in 2.5 s
 * wall and 1 GiB RSS or less, JVM start included, on 2 cores.
 */
public final class CoreBenchmark {

  private static final String[] TEAMS = {"payments", "storefront", "platform", "data", "search"};

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {1_000, 10_000};
    if (!Boolean.getBoolean("bench.core.inProcessOnly")) {
      CliValidate.run(sizes);
    }
    if (!Boolean.getBoolean("bench.core.cliOnly")) {
      inProcess(sizes);
    }
  }

  /** The pure core in this JVM: the first evaluation of each size, then each phase again. */
  private static void inProcess(int[] sizes) {
    // The core's threads the CLI runs with (at least two workers).
    dev.paved.config.Workers workers = dev.paved.cli.Main.coreWorkers();
    System.out.printf("%nin-process (the pure core after JVM start; not what a user waits for), load average %s%n",
        CliValidate.loadAverage());
    System.out.printf("%-10s %-8s %-10s %-10s %-10s %-10s %-10s %-10s %-10s%n", "services", "files", "objects",
        "wall ms", "load ms", "render ms", "policy ms", "peak MiB", "findings");
    for (int n : sizes) {
      ConfigTree tree = generate(n);
      System.gc();
      resetPeaks();
      // wall ms: the first evaluation of this size (cold for the first size, as after JVM start);
      // the phase columns time a second run of the same work.
      long start = System.nanoTime();
      Evaluation e = Evaluator.evaluate(tree, workers);
      long ms = (System.nanoTime() - start) / 1_000_000;
      // The same work again, phase by phase, to show where the time goes.
      long t0 = System.nanoTime();
      var loaded = dev.paved.config.ConfigLoader.load(tree, workers);
      long t1 = System.nanoTime();
      var rendered = dev.paved.desired.Renderer.render(loaded.platform().orElseThrow(), tree.revision(), workers);
      long t2 = System.nanoTime();
      dev.paved.policy.PolicyEngine.evaluate(loaded.platform().get(), rendered, workers);
      long t3 = System.nanoTime();
      if (e.hasErrors()) {
        throw new IllegalStateException("generated repo does not validate: " + e.problems().get(0));
      }
      int objects = e.desired().orElseThrow().environments().values().stream().mapToInt(s -> s.objects().size()).sum();
      System.out.printf("%-10d %-8d %-10d %-10d %-10d %-10d %-10d %-10d %-10d%n", n, tree.files().size(), objects, ms,
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, peakHeap() / (1024 * 1024),
          e.findings().size());
    }
  }

  public static ConfigTree generateForProbe(int services) {
    return generate(services);
  }

  static ConfigTree generate(int services) {
    Map<String, SourceFile> files = new HashMap<>();
    put(files, "clusters/nonprod.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n");
    put(files, "clusters/prod.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n");
    for (String[] env : new String[][] {{"dev", "dev", "nonprod", ""}, {"staging", "staging", "nonprod", ""},
        {"prod", "prod", "prod", "promotesFrom: staging\n"}}) {
      put(files, "environments/" + env[0] + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: " + env[1]
          + "\ncluster: " + env[2] + "\n" + env[3] + "labels:\n  cost-center: cc-1\ndefaults:\n  variables:\n"
          + "    LOG_LEVEL: info\n  resources:\n    requests: {cpu: 100m, memory: 128Mi}\n    limits: {memory: 256Mi}\n");
    }
    String[][] policies = {
        {"no-latest", "disallowed-image-tags", ""},
        {"registries", "allowed-registries", "parameters:\n  registries: [registry.example.com/]\n"},
        {"resources", "resources-required", ""},
        {"replicas", "replica-bounds", "parameters:\n  min: 2\nmatch:\n  tiers: [prod]\n"},
        {"labels", "required-labels", "enforcement: warn\nparameters:\n  labels: [cost-center]\n"},
        {"probes", "probes-required", "match:\n  tiers: [prod]\n"},
        {"namespaces", "namespace-confinement", ""},
        {"secrets", "no-secret-literals", ""},
        {"promotion", "promotion-order", "enforcement: warn\n"}};
    for (String[] p : policies) {
      put(files, "policies/" + p[0] + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Policy\nrule: " + p[1] + "\n" + p[2]);
    }
    for (String team : TEAMS) {
      put(files, "teams/" + team + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"@bench/" + team
          + "\"]\n");
    }
    for (int i = 0; i < services; i++) {
      String name = "svc-" + i;
      String team = TEAMS[i % TEAMS.length];
      String dir = "services/" + name + "/";
      put(files, dir + "service.yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: Service
          team: %s
          description: Generated service %d
          links:
            docs: https://docs.example.com/%s
          image:
            repository: registry.example.com/%s/%s
          ports:
            - name: http
              port: 8080
          variables:
            SERVICE: ${service.name}
            DB_PASSWORD:
              secret: {name: %s-db, key: password}
          probes:
            liveness:
              http: {path: /healthz, port: http}
            readiness:
              http: {path: /ready, port: http}
          replicas: 2
          """.formatted(team, i, name, team, name, name));
      for (String env : new String[] {"dev", "staging", "prod"}) {
        String extra = env.equals("prod") && i % 10 == 0
            ? "autoscaling:\n  minReplicas: 3\n  maxReplicas: 10\nreplicas: null\n"
            : env.equals("dev") ? "replicas: 1\n" : "";
        put(files, dir + "env/" + env + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Override\nimage:\n  tag: \"1."
            + (i % 7) + ".0\"\n" + extra);
      }
    }
    return new ConfigTree("bench", files);
  }

  private static void put(Map<String, SourceFile> files, String path, String text) {
    files.put(path, SourceFile.of(path, text));
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
