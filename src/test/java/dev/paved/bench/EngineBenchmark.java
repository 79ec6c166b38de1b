package dev.paved.bench;

import dev.paved.apply.ChangeSet;
import dev.paved.apply.Comparison;
import dev.paved.apply.DriftReport;
import dev.paved.apply.DriftWatcher;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.InformerLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.config.Declarations;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.ObjectKey;
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

/**
 * Benchmark of the cluster engine on the real control plane: cold sync of a generated platform
 * (one environment, 4 objects per service) against {@code kubectl apply --server-side} of the
 * same rendered YAML in the same run, then a no-op reconcile (writes and dry-runs sent), then
 * drift latency (another client edits a Deployment; time until Paved has restored it).
 * Not a test: run with {@code mvn -Pbench-engine verify} (see CONTRIBUTING.md).
 */
public final class EngineBenchmark {

  private EngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1000};
    Path basedir = Path.of(System.getProperty("paved.basedir", ".")).toAbsolutePath();
    Path script = basedir.resolve("scripts/control-plane");
    // Sized like the daemon's apply pool (Daemon: at least 8, twice the apply concurrency).
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(8, 2 * syncOptions().apply().concurrency()));
    int reps = Integer.getInteger("bench.engine.reps", 3);
    try {
      if (!Boolean.getBoolean("bench.engine.daemonOnly")) {
        measure(sizes, basedir, script, pool, reps);
      }
      // -Dbench.engine.daemon=false leaves the daemon mode out; -Dbench.engine.daemonOnly=true runs it alone.
      if (Boolean.parseBoolean(System.getProperty("bench.engine.daemon", "true"))
          && !Boolean.getBoolean("bench.engine.cliOnly")) {
        for (int n : sizes) {
          DaemonBenchmark.run(n, basedir);
        }
      }
      if (!Boolean.getBoolean("bench.engine.cliOnly") && !Boolean.getBoolean("bench.engine.noBaselines")
          && !Boolean.getBoolean("bench.engine.daemonOnly")) {
        for (int n : sizes) {
          baselines(n, script, basedir, pool, reps);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The table: cold sync vs kubectl on one control plane, no-op, drift, then {@code paved apply}. */
  private static void measure(int[] sizes, Path basedir, Path script, ExecutorService pool, int reps)
      throws Exception {
    try (ControlPlane cp = ControlPlane.start(script); KubernetesClient client = cp.newClient()) {
      Path kubectl = Path.of(run(script.toString(), "bin-dir").strip()).resolve("kubectl");
      String cpDir = cp.kubeconfig().getParent().toString();
      System.out.printf("%-9s %-8s %-14s %-14s %-8s %-13s %-8s %-10s %-8s %-9s %-14s %-14s %-22s %-22s%n", "services", "objects",
          "paved cold ms", "kubectl ms", "ratio", "first in JVM", "ratio", "no-op ms", "writes", "dry-runs", "drift p50 ms", "drift max ms",
          "cpu s paved (jvm/cp)", "cpu s kubectl (cli/cp)");
      for (int n : sizes) {
        if (Boolean.getBoolean("bench.engine.cliOnly")) { // -Dbench.engine.cliOnly=true: paved apply alone
          long[] cli = cliApply(n, client, cp.kubeconfig(), basedir);
          System.out.println("  paved apply of " + n + " services as a user runs it: cold " + cli[0] + " ms, no-op "
              + cli[1] + " ms");
          continue;
        }
        // Paved's first sync in this JVM (the JIT still compiling its paths: what a daemon's first
        // start against an empty cluster gets), on namespaces of its own, then removed.
        EnvironmentState firstInJvm = render(n, "first" + n);
        Sync fresh = coldSync(client, firstInJvm, cpDir, pool, kubectl, cp.kubeconfig(), n + "-first");
        fresh.cache().close();
        deleteAllButNamespaces(kubectl, cp.kubeconfig(), firstInJvm);

        // Then `reps` rounds of the baseline and the measured sync, interleaved, each on namespaces
        // of its own: both sides vary by ±25 % from run to run here (the control plane shares the
        // two cores), so the figures are medians. Each side's objects (not its namespaces: without
        // a namespace controller they would stay Terminating with their content) are removed
        // before the next run: the apiserver's ClusterIP allocator scans every allocated address
        // per new Service, so a run would otherwise pay for the Services of the runs before it.
        long[] kubectlMs = new long[reps];
        long[] pavedMs = new long[reps];
        double[] kubectlCli = new double[reps];
        double[] kubectlCp = new double[reps];
        double[] pavedJvm = new double[reps];
        double[] pavedCp = new double[reps];
        Map<String, Long> kubectlRequests = Map.of();
        Sync sync = null;
        EnvironmentState paved = null;
        for (int r = 0; r < reps; r++) {
          // The control plane gets dearer with every run (the history of created and deleted
          // objects), so the order alternates (kubectl first, then Paved first, ...); the last
          // round ends with Paved, whose objects stay for the no-op and drift measurements.
          boolean pavedFirst = r % 2 == 1 && r < reps - 1;
          for (int side = 0; side < 2; side++) {
            if ((side == 0) != pavedFirst) {
              EnvironmentState baseline = render(n, "kubectl" + n + "r" + r);
              // kubectl too gets a machine on which the JVM's compiler is idle.
              awaitJitIdle();
              Path yaml = Files.createTempFile("paved-bench-", ".yaml");
              Files.writeString(yaml, Manifests.toYamlStream(baseline.objects()));
              Map<String, Long> kubectlReq0 = requests(client);
              double cpBefore = controlPlaneCpu(cpDir);
              Process kubectlProfile = apiserverProfile(kubectl, cp.kubeconfig(), "kubectl-" + n + "-run" + (r + 1));
              long k0 = System.nanoTime();
              ProcessHandle.Info kubectlInfo = runMeasured(kubectl.toString(), "--kubeconfig",
                  cp.kubeconfig().toString(), "apply", "--server-side", "--field-manager", "kubectl-bench", "-f",
                  yaml.toString());
              kubectlMs[r] = (System.nanoTime() - k0) / 1_000_000;
              kubectlCp[r] = controlPlaneCpu(cpDir) - cpBefore;
              kubectlRequests = delta(kubectlReq0, requests(client));
              kubectlCli[r] = kubectlInfo.totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
              awaitProfile(kubectlProfile);
              deleteAllButNamespaces(kubectl, cp.kubeconfig(), baseline);
            } else {
              // The measured sync, as a running daemon does it: its compiler's queue is empty.
              long jitWaitMs = awaitJitIdle();
              paved = render(n, "paved" + n + "r" + r);
              sync = coldSync(client, paved, cpDir, pool, kubectl, cp.kubeconfig(),
                  n + "-run" + (r + 1) + " (after " + jitWaitMs + " ms of JIT idle wait)");
              pavedMs[r] = sync.ms();
              pavedJvm[r] = sync.jvmCpu();
              pavedCp[r] = sync.cpCpu();
              if (r < reps - 1) {
                sync.cache().close();
                deleteAllButNamespaces(kubectl, cp.kubeconfig(), paved);
              }
            }
          }
        }
        InformerLiveState cache = sync.cache();
        ResourceManager manager = sync.manager();
        InventoryStore inventory = sync.inventory();
        Map<String, Long> pavedRequests = sync.requests();
        // No-op reconcile once the cache has seen every write: nothing to send.
        awaitCached(cache, paved);
        long writesBefore = manager.writes();
        long dryRunsBefore = manager.dryRuns();
        long n0 = System.nanoTime();
        TargetSync.run(paved, PruneGuard.Policy.defaults(), "c1", manager, inventory, syncOptions());
        long noopMs = (System.nanoTime() - n0) / 1_000_000;
        long noopWrites = manager.writes() - writesBefore;
        long noopDryRuns = manager.dryRuns() - dryRunsBefore;
        long[] drift = driftLatencies(client, cache, manager, paved, 20);
        long pavedMedian = median(pavedMs);
        long kubectlMedian = median(kubectlMs);
        System.out.printf("%-9d %-8d %-14d %-14d %-8.2f %-13d %-8.2f %-10d %-8d %-9d %-14d %-14d %-22s %-22s%n", n,
            paved.objects().size(), pavedMedian, kubectlMedian, (double) pavedMedian / kubectlMedian, fresh.ms(),
            (double) fresh.ms() / kubectlMedian, noopMs, noopWrites, noopDryRuns,
            drift[drift.length / 2], drift[drift.length - 1],
            String.format("%.1f / %.1f", median(pavedJvm), median(pavedCp)),
            String.format("%.1f / %.1f", median(kubectlCli), median(kubectlCp)));
        System.out.println("  " + reps + " runs (medians above): paved ms " + java.util.Arrays.toString(pavedMs)
            + ", kubectl ms " + java.util.Arrays.toString(kubectlMs) + ", ratio per run " + ratios(pavedMs, kubectlMs)
            + "; first in JVM " + fresh.ms() + " ms (JVM / control plane CPU s " + String.format("%.1f / %.1f", fresh.jvmCpu(),
            fresh.cpCpu()) + ")");
        System.out.println("  requests during the last cold sync, by verb and resource: paved " + pavedRequests
            + "; kubectl " + kubectlRequests);
        cache.close();
        long[] cli = cliApply(n, client, cp.kubeconfig(), basedir);
        System.out.println("  paved apply of " + n + " services as a user runs it: cold " + cli[0] + " ms, no-op "
            + cli[1] + " ms");
      }
    }
  }

  /**
   * With {@code -Dbench.timeline}: the CPU the JVM and the control plane used in each 500 ms of a
   * sync, in cores (2.0 is both cores busy), to see where the machine idles.
   */
  private static final class Timeline {
    private final Thread sampler;
    private final List<String> out = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    private Timeline(String cpDir) {
      sampler = new Thread(() -> {
        try {
          double jvm = jvmCpu();
          double cp = controlPlaneCpu(cpDir);
          while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(500);
            double j = jvmCpu();
            double c = controlPlaneCpu(cpDir);
            out.add(String.format("%.1f+%.1f", (j - jvm) / 0.5, (c - cp) / 0.5));
            jvm = j;
            cp = c;
          }
        } catch (InterruptedException e) {
          // stopped
        } catch (Exception e) {
          out.add("(" + e + ")");
        }
      }, "bench-timeline");
      sampler.setDaemon(true);
    }

    static Timeline start(String cpDir) {
      Timeline t = new Timeline(cpDir);
      t.sampler.start();
      return t;
    }

    String stop() throws InterruptedException {
      sampler.interrupt();
      sampler.join();
      return String.join(" ", out);
    }
  }

  /**
   * Paved's cold sync against both baselines, each side on a control plane of its own, started
   * for it: {@code kubectl apply --server-side} and a bare parallel server-side apply with
   * client-go ({@code tools/ssa-baseline}, 32 workers, built by {@code scripts/build-tool}),
   * {@code reps} rounds in rotating order; prints the medians and Paved's ratio to each.
   */
  private static void baselines(int n, Path script, Path basedir, ExecutorService pool, int reps) throws Exception {
    Path ssa = Path.of(run(basedir.resolve("scripts/build-tool").toString(), "ssa-baseline").strip());
    String[] sides = {"paved", "kubectl", "client-go"};
    Map<String, long[]> ms = new java.util.TreeMap<>();
    for (String side : sides) {
      ms.put(side, new long[reps]);
    }
    for (int r = 0; r < reps; r++) {
      for (int i = 0; i < sides.length; i++) {
        String side = sides[(i + r) % sides.length];
        EnvironmentState state = render(n, "fresh" + n + side.replace("-", "") + r);
        try (ControlPlane cp = ControlPlane.start(script); KubernetesClient client = cp.newClient()) {
          Path kubectl = Path.of(run(script.toString(), "bin-dir").strip()).resolve("kubectl");
          awaitJitIdle();
          if (side.equals("paved")) {
            Sync sync = coldSync(client, state, cp.kubeconfig().getParent().toString(), pool, kubectl,
                cp.kubeconfig(), n + "-fresh" + (r + 1));
            sync.cache().close();
            ms.get(side)[r] = sync.ms();
          } else {
            Path yaml = Files.createTempFile("paved-bench-", ".yaml");
            Files.writeString(yaml, Manifests.toYamlStream(state.objects()));
            long t0 = System.nanoTime();
            if (side.equals("kubectl")) {
              run(kubectl.toString(), "--kubeconfig", cp.kubeconfig().toString(), "apply", "--server-side",
                  "--field-manager", "kubectl-bench", "-f", yaml.toString());
            } else {
              run(ssa.toString(), "-kubeconfig", cp.kubeconfig().toString(), "-f", yaml.toString(), "-workers", "32");
            }
            ms.get(side)[r] = (System.nanoTime() - t0) / 1_000_000;
          }
        }
      }
    }
    long paved = median(ms.get("paved"));
    long kubectl = median(ms.get("kubectl"));
    long go = median(ms.get("client-go"));
    System.out.printf("%nfresh control plane per side, %d services (%d runs each, medians): paved %d ms, kubectl %d ms,"
        + " client-go %d ms; paved / kubectl %.2f, paved / client-go %.2f%n", n, reps, paved, kubectl, go,
        (double) paved / kubectl, (double) paved / go);
    ms.forEach((side, v) -> System.out.println("  " + side + " ms " + java.util.Arrays.toString(v)));
  }

  /** The daemon's defaults; {@code -Dbench.engine.concurrency=N} changes the apply concurrency. */
  private static TargetSync.Options syncOptions() {
    ResourceManager.Options apply = ResourceManager.Options.defaults();
    int concurrency = Integer.getInteger("bench.engine.concurrency", apply.concurrency());
    return new TargetSync.Options(false, new ResourceManager.Options(concurrency, apply.dryRun(),
        apply.definitionsTimeout()));
  }

  private static long median(long[] values) {
    long[] v = values.clone();
    java.util.Arrays.sort(v);
    return v[v.length / 2];
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v[v.length / 2];
  }

  private static List<String> ratios(long[] paved, long[] kubectl) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < paved.length; i++) {
      out.add(String.format("%.2f", (double) paved[i] / kubectl[i]));
    }
    return out;
  }

  /** What one measured cold sync took. */
  private record Sync(long ms, double jvmCpu, double cpCpu, Map<String, Long> requests, TargetSync.Result result,
      InformerLiveState cache, ResourceManager manager, InventoryStore inventory) {}

  /** A cold sync as the daemon runs it: the live state from a watch cache (one LIST per kind). */
  private static Sync coldSync(KubernetesClient client, EnvironmentState state, String cpDir, ExecutorService pool,
      Path kubectl, Path kubeconfig, String label) throws Exception {
    InformerLiveState cache = new InformerLiveState(client, state.environment());
    ResourceManager manager = new ResourceManager(client, "paved", cache, pool);
    InventoryStore inventory = new InventoryStore(client, "paved");
    Map<String, Long> pavedReq0 = requests(client);
    jdk.jfr.Recording recording = null;
    if (System.getProperty("bench.jfr") != null) { // -Dbench.jfr=DIR: a JFR profile of each cold sync
      recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      recording.start();
    }
    Process profile = apiserverProfile(kubectl, kubeconfig, label);
    Map<String, Double> threadsBefore = threadCpu();
    double jvmBefore = jvmCpu();
    double cpBeforePaved = controlPlaneCpu(cpDir);
    Timeline timeline = Boolean.getBoolean("bench.timeline") ? Timeline.start(cpDir) : null;
    long p0 = System.nanoTime();
    cache.watch(state.objects().stream().map(o -> o.key()).toList());
    TargetSync.Result first = TargetSync.run(state, PruneGuard.Policy.defaults(), "c1", manager, inventory,
        syncOptions());
    long pavedMs = (System.nanoTime() - p0) / 1_000_000;
    if (timeline != null) {
      System.out.println("  cores busy per 500 ms during the cold sync " + label + " (JVM + control plane): " + timeline.stop());
    }
    double pavedJvmCpu = jvmCpu() - jvmBefore;
    double pavedCpCpu = controlPlaneCpu(cpDir) - cpBeforePaved;
    Map<String, Long> pavedRequests = delta(pavedReq0, requests(client));
    if (System.getProperty("bench.jfr") != null) {
      Map<String, Double> threads = threadCpu();
      threadsBefore.forEach((k, v) -> threads.merge(k, -v, Double::sum));
      System.out.println("  JVM CPU s by thread group during the cold sync " + label + ": " + threads.entrySet().stream()
          .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .map(e -> e.getKey() + "=" + String.format("%.2f", e.getValue())).toList());
    }
    if (recording != null) {
      recording.stop();
      recording.dump(Path.of(System.getProperty("bench.jfr"), "cold-sync-" + label + ".jfr"));
      recording.close();
    }
    awaitProfile(profile);
    if (!first.synced()) {
      throw new IllegalStateException("cold sync " + label + " failed: " + first.changes().summary() + " " + first.error());
    }
    return new Sync(pavedMs, pavedJvmCpu, pavedCpCpu, pavedRequests, first, cache, manager, inventory);
  }

  /**
   * Deletes the objects of {@code state} but not its namespaces (without a namespace controller
   * they would stay Terminating with their content). The apiserver's ClusterIP allocator scans
   * every allocated address per new Service, so a run would otherwise pay for the Services of
   * the runs before it.
   */
  private static void deleteAllButNamespaces(Path kubectl, Path kubeconfig, EnvironmentState state) throws Exception {
    Path yaml = Files.createTempFile("paved-bench-", ".yaml");
    Files.writeString(yaml, Manifests.toYamlStream(state.objects().stream()
        .filter(o -> !o.key().kind().equals("Namespace")).toList()));
    run(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "delete", "--wait=false", "-f", yaml.toString());
  }

  /**
   * Waits (at most 60 s) until the JIT compiler has compiled nothing for a second: a daemon that
   * has been running idles between commits, and its compiler's queue is empty when the next one
   * comes. Right after the first sync, C2 is still working through that sync's hot methods on
   * the cores the measured sync needs.
   */
  private static long awaitJitIdle() throws InterruptedException {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    long start = System.nanoTime();
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < 5 && System.nanoTime() - start < 60_000_000_000L) {
      Thread.sleep(200); // polling the JVM's compile counter in a benchmark driver, not in a test
      long now = jit.getTotalCompilationTime();
      quiet = now - last <= 2 ? quiet + 1 : 0;
      last = now;
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Waits until the watch cache holds every desired object as applied. */
  private static void awaitCached(InformerLiveState cache, EnvironmentState state) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean all = state.objects().stream().allMatch(o -> cache.get(o.key())
          .map(live -> Comparison.holds(ResourceManager.prepared(o), live)).orElse(false));
      if (all) {
        return;
      }
      Thread.sleep(50); // polling a cache in a benchmark driver, not in a test
    }
    throw new IllegalStateException("watch cache did not catch up within 60 s");
  }

  /**
   * Drift latency: another client changes the image of {@code edits} Deployments (field manager
   * kubectl-edit); each time, how long until the drift watcher has put Paved's value back.
   */
  private static long[] driftLatencies(KubernetesClient client, InformerLiveState cache, ResourceManager manager,
      EnvironmentState state, int edits) throws Exception {
    ExecutorService checks = Executors.newFixedThreadPool(2);
    List<DesiredObject> deployments = state.objects().stream()
        .filter(o -> o.key().kind().equals("Deployment")).limit(edits).toList();
    long[] out = new long[deployments.size()];
    try (DriftWatcher watcher = new DriftWatcher(cache, manager, checks)) {
      java.util.concurrent.ConcurrentHashMap<ObjectKey, java.util.concurrent.CompletableFuture<Long>> corrected =
          new java.util.concurrent.ConcurrentHashMap<>();
      watcher.addListener(new DriftWatcher.Listener() {
        @Override
        public void corrected(DriftReport report, ChangeSet.Entry result) {
          var f = corrected.get(report.key());
          if (f != null) {
            f.complete(System.nanoTime());
          }
        }
      });
      watcher.start(state, Declarations.DriftMode.CORRECT, IgnoreRules.none());
      for (int i = 0; i < deployments.size(); i++) {
        ObjectKey key = deployments.get(i).key();
        var done = new java.util.concurrent.CompletableFuture<Long>();
        corrected.put(key, done);
        long t0 = System.nanoTime();
        client.apps().deployments().inNamespace(key.namespace()).withName(key.name()).edit(d -> {
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry.example.com/hotfix:edited");
          return d;
        });
        out[i] = (done.get(30, java.util.concurrent.TimeUnit.SECONDS) - t0) / 1_000_000;
      }
    } finally {
      checks.shutdownNow();
    }
    java.util.Arrays.sort(out);
    return out;
  }

  static EnvironmentState render(int services, String env) {
    Evaluation e = Evaluator.evaluate(new ConfigTree("bench", files(services, env)), dev.paved.cli.Main.coreWorkers());
    if (e.hasErrors()) {
      throw new IllegalStateException(e.problems().toString());
    }
    return e.desired().orElseThrow().environment(env).orElseThrow();
  }

  /** The team of service {@code svc-i} in {@link #files}. */
  static String team(int i) {
    return TEAMS[i % TEAMS.length];
  }

  private static final String[] TEAMS = {"payments", "storefront", "platform", "data", "search"};

  /** The config repo of {@code services} services in one environment {@code env}. */
  static Map<String, SourceFile> files(int services, String env) {
    Map<String, SourceFile> files = new HashMap<>();
    put(files, "clusters/local.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n");
    put(files, "environments/" + env + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: dev\n"
        + "cluster: local\nnamespace: \"{team}-" + env + "\"\n");
    String[] teams = TEAMS;
    for (String team : teams) {
      put(files, "teams/" + team + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"@bench/" + team
          + "\"]\n");
    }
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
    return files;
  }

  /**
   * {@code paved apply} as a user runs it ({@code scripts/paved apply}: a JVM of its own with
   * {@code scripts/jvm/cli.options} and the CDS archive, the repo on disk), on namespaces of its own: a cold apply, then a no-op one. Wall ms of each.
   */
  private static long[] cliApply(int services, KubernetesClient client, Path kubeconfig, Path basedir)
      throws Exception {
    String env = "cli" + services;
    Path dir = Files.createTempDirectory("paved-bench-repo-");
    for (SourceFile f : files(services, env).values()) {
      Path p = dir.resolve(f.path());
      Files.createDirectories(p.getParent());
      Files.write(p, f.bytes());
    }
    // What a user runs: the launcher (scripts/jvm/cli.options, the class data sharing archive, target/paved.jar).
    List<String> command = List.of(basedir.resolve("scripts/paved").toString(), "apply", dir.toString(), "--env", env,
        "--kubeconfig", kubeconfig.toString());
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      awaitJitIdle();
      Map<String, Long> before = requests(client);
      long t0 = System.nanoTime();
      String printed = run(command.toArray(String[]::new));
      out[i] = (System.nanoTime() - t0) / 1_000_000;
      String[] lines = printed.strip().split("\n");
      System.out.println("  paved apply (" + (i == 0 ? "cold" : "no-op") + ") of " + services + " services: "
          + out[i] + " ms; " + lines[lines.length - 1] + "; requests " + delta(before, requests(client)));
    }
    // The no-op's live-state read alone, in this JVM, both ways in turn: a GET per object, a LIST per kind and
    // namespace (the engine and the comparison are the same; only the reads differ).
    EnvironmentState state = render(services, env);
    List<ObjectKey> keys = state.objects().stream().map(DesiredObject::key).toList();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      for (int round = 0; round < 2; round++) {
        for (String how : List.of("GET per object", "LIST per kind and namespace")) {
          dev.paved.apply.LiveState live = how.startsWith("GET") ? new dev.paved.apply.DirectLiveState(client)
              : new dev.paved.apply.ListedLiveState(client, keys);
          ResourceManager manager = new ResourceManager(client, "paved", live, pool);
          awaitJitIdle();
          Map<String, Long> before = requests(client);
          long t0 = System.nanoTime();
          TargetSync.Result r = TargetSync.run(state, PruneGuard.Policy.defaults(), "local", manager,
              new InventoryStore(client, "paved"), syncOptions());
          long ms = (System.nanoTime() - t0) / 1_000_000;
          System.out.println("  in-process no-op sync of " + services + " services, live state by " + how + ": "
              + ms + " ms, " + r.changes().summary() + ", requests " + delta(before, requests(client)));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private static void put(Map<String, SourceFile> files, String path, String text) {
    files.put(path, SourceFile.of(path, text));
  }

  /** The apiserver's own request counters ({@code apiserver_request_total}), by verb and resource. */
  private static Map<String, Long> requests(KubernetesClient client) {
    Map<String, Long> out = new java.util.TreeMap<>();
    java.util.regex.Pattern line = java.util.regex.Pattern.compile("^apiserver_request_total\\{(.*)\\} (\\S+)$");
    for (String l : client.raw("/metrics").split("\n")) {
      java.util.regex.Matcher m = line.matcher(l);
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      for (String kv : m.group(1).split(",(?=[a-z_]+=)")) {
        int eq = kv.indexOf('=');
        labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
      }
      String key = labels.get("verb") + " " + labels.getOrDefault("resource", "") + (labels.getOrDefault("dry_run", "").isEmpty() ? "" : " (dry-run)");
      out.merge(key, (long) Double.parseDouble(m.group(2)), Long::sum);
    }
    return out;
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new java.util.TreeMap<>();
    after.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d > 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  /** CPU seconds used so far by this JVM's threads (Java and native: GC, JIT), by name without digits. */
  private static Map<String, Double> threadCpu() throws Exception {
    Map<String, Double> out = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
        } catch (java.io.IOException gone) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }

  /** CPU seconds this JVM has used so far. */
  private static double jvmCpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** CPU seconds used so far by the control plane's processes (etcd, kube-apiserver) of {@code dir}. */
  private static double controlPlaneCpu(String dir) throws Exception {
    double total = 0;
    long ticks = 100; // USER_HZ on Linux
    for (ProcessHandle h : ProcessHandle.allProcesses().filter(h -> h.info().commandLine()
        .map(c -> c.contains(dir) && !c.contains("watchdog") && !c.startsWith("bash")).orElse(false)).toList()) {
      Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
      if (Files.exists(stat)) {
        String[] f = Files.readString(stat).replaceAll("^.*\\) ", "").split(" ");
        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) ticks;
      }
    }
    return total;
  }

  /**
   * With {@code -Dbench.pprof=DIR}: starts a CPU profile of the kube-apiserver (its
   * {@code /debug/pprof/profile} endpoint, {@code -Dbench.pprof.seconds}, default 8) written to
   * {@code DIR/<label>.pprof}, read with {@code go tool pprof -top <kube-apiserver> <file>}.
   */
  private static Process apiserverProfile(Path kubectl, Path kubeconfig, String label) throws Exception {
    String dir = System.getProperty("bench.pprof");
    if (dir == null) {
      return null;
    }
    Files.createDirectories(Path.of(dir));
    return new ProcessBuilder(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "get", "--raw",
        "/debug/pprof/profile?seconds=" + Integer.getInteger("bench.pprof.seconds", 8))
        .redirectOutput(Path.of(dir, label.replaceAll("[^A-Za-z0-9.-]", "_") + ".pprof").toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Waits for a profile started by {@link #apiserverProfile} (so that the next phase is not in it). */
  private static void awaitProfile(Process profile) throws InterruptedException {
    if (profile != null) {
      profile.waitFor();
    }
  }

  /** Runs a command, failing on a non-zero exit; what the process used (CPU time) once it ended. */
  private static ProcessHandle.Info runMeasured(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    ProcessHandle.Info[] last = {p.info()};
    Thread sampler = new Thread(() -> {
      while (p.isAlive()) {
        last[0] = p.info();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int code = p.waitFor();
    sampler.join();
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return last[0];
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
