package dev.paved.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.source.SourceFile;
import dev.paved.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;

/**
 * The daemon as it runs: {@code scripts/paved serve} (its own JVM with
 * {@code scripts/jvm/serve.options} and the class data sharing archive) following a git remote of
 * the engine benchmark's platform (N services in one environment, 4 objects each) on a control
 * plane started for it. Prints: cold start to synced (process start to every object applied and
 * the target SYNCED), commit → applied for one-service changes (a commit pushed, the generic
 * webhook posted, until the changed Deployment's image is seen in the cluster; p50 and max over
 * {@code -Dbench.daemon.commits} commits, default 20), RSS (and peak) and heap after the first
 * sync and after those commits (the heap after a full GC, by {@code jcmd}, is the live set), and
 * the CPU of a no-op resync (the process's CPU between two periodic resyncs of
 * {@code -Dbench.daemon.resync} seconds, default 60, nothing changed in between).
 */
final class DaemonBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "bench-webhook-secret";

  private DaemonBenchmark() {}

  static void run(int services, Path basedir) throws Exception {
    Path script = basedir.resolve("scripts/control-plane");
    int commits = Integer.getInteger("bench.daemon.commits", 20);
    int resync = Integer.getInteger("bench.daemon.resync", 60);
    int environments = Integer.getInteger("bench.daemon.environments", 1);
    String env = "daemon" + services;
    // -Dbench.daemon.environments=N: N environments on the cluster, each running every service
    // (the first is where commit -> applied is watched).
    List<String> envs = new java.util.ArrayList<>(List.of(env));
    for (int i = 1; i < environments; i++) {
      envs.add(env + "-" + (char) ('a' + i));
    }
    int objects = (4 * services + 5) * environments;
    Path dir = Files.createTempDirectory("paved-bench-daemon-");
    try (ControlPlane cp = ControlPlane.start(script); KubernetesClient client = cp.newClient();
        Git work = Git.init().setInitialBranch("main").setDirectory(dir.resolve("work").toFile()).call()) {
      Path bare = dir.resolve("remote.git");
      Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
      Map<String, SourceFile> files = new java.util.HashMap<>(EngineBenchmark.files(services, env));
      for (String e : envs.subList(1, envs.size())) {
        String path = "environments/" + e + ".yaml";
        files.put(path, SourceFile.of(path, new String(files.get("environments/" + env + ".yaml").bytes(),
            StandardCharsets.UTF_8).replace(env, e)));
      }
      for (SourceFile f : files.values()) {
        Path p = dir.resolve("work").resolve(f.path());
        Files.createDirectories(p.getParent());
        Files.write(p, f.bytes());
      }
      String first = commit(work, bare, ".", services + " services");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Files.writeString(dir.resolve("webhook-secret"), TOKEN + "\n");
      Path config = Files.writeString(dir.resolve("paved.yaml"), """
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          http: {host: 127.0.0.1, port: %d, publicRead: true}
          stateDir: %s
          resyncInterval: %ds
          repos:
            - name: platform
              url: %s
              branch: main
              pollInterval: 1h
              webhookSecretFile: %s
          clusters:
            local: {kubeconfig: {file: %s}}
          """.formatted(port, dir.resolve("state"), resync, bare.toUri(), dir.resolve("webhook-secret"),
          cp.kubeconfig()));
      Daemon daemon = new Daemon(port);
      System.out.printf("%ndaemon mode, %d services, %d environments (%d objects), scripts/paved serve, load average"
          + " %s%n", services, environments, objects, CliValidate.loadAverage());
      long t0 = System.nanoTime();
      ProcessBuilder pb = new ProcessBuilder(basedir.resolve("scripts/paved").toString(), "serve", "--config",
          config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
      // -Dbench.daemon.jvm="-Xmx1g": JVM options after serve.options (PAVED_JAVA_OPTS), e.g. the heap a pod's
      // memory limit gives (the chart's -XX:MaxRAMPercentage=75 of the limit)
      String jvm = System.getProperty("bench.daemon.jvm", "").strip();
      if (!jvm.isEmpty()) {
        pb.environment().put("PAVED_JAVA_OPTS", jvm);
      }
      System.out.printf("  serve JVM options: scripts/jvm/serve.options%s%n", jvm.isEmpty() ? "" : " " + jvm);
      Process serve = pb.start();
      try {
        await(3_600, "the first commit synced (see " + dir.resolve("serve.log") + ")", () -> !serve.isAlive()
            || envs.stream().allMatch(e -> daemon.synced(e, first)));
        if (!serve.isAlive()) {
          throw new IllegalStateException("paved serve exited: " + Files.readString(dir.resolve("serve.log")));
        }
        long coldMs = (System.nanoTime() - t0) / 1_000_000;
        Memory afterFirst = memory(serve.pid(), daemon);
        System.out.printf("  cold start to synced: %.1f s (JVM start, clone, evaluation, %d objects applied);"
            + " then %s; load average %s%n", coldMs / 1000.0, objects, afterFirst, CliValidate.loadAverage());

        long[] applied = new long[commits];
        for (int i = 0; i < commits; i++) {
          int k = (int) ((i * 7919L + 13) % services);
          String name = "svc-" + k;
          String tag = "2." + i + ".0";
          String path = "services/" + name + "/service.yaml";
          Path file = dir.resolve("work").resolve(path);
          Files.writeString(file, Files.readString(file).replaceFirst("tag: \"[^\"]*\"", "tag: \"" + tag + "\""));
          String c = commit(work, bare, path, name + " " + tag);
          String ns = EngineBenchmark.team(k) + "-" + env;
          CompletableFuture<Long> seen = new CompletableFuture<>();
          try (Watch w = client.apps().deployments().inNamespace(ns).withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
              if (d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().endsWith(":" + tag)) {
                seen.complete(System.nanoTime());
              }
            }

            @Override
            public void onClose(WatcherException cause) {
              seen.completeExceptionally(cause);
            }
          })) {
            long s0 = System.nanoTime();
            daemon.webhook();
            applied[i] = (seen.get(600, TimeUnit.SECONDS) - s0) / 1_000_000;
          }
          await(600, "commit " + c + " synced", () -> envs.stream().allMatch(e -> daemon.synced(e, c)));
        }
        long[] sorted = applied.clone();
        Arrays.sort(sorted);
        Memory afterCommits = memory(serve.pid(), daemon);
        System.out.printf("  commit -> applied (webhook to the changed Deployment in the cluster), %d one-service"
            + " commits: p50 %d ms, max %d ms (all: %s); load average %s%n", commits, sorted[commits / 2],
            sorted[commits - 1], Arrays.toString(applied), CliValidate.loadAverage());
        System.out.printf("  after %d commits: %s%n", commits, afterCommits);

        // A no-op resync: the process's CPU from the end of one periodic resync to the end of the next.
        double count = daemon.reconciles();
        // a resync reconciles every target (one per environment)
        await(3 * resync + 600, "a resync", () -> daemon.reconciles() >= count + environments);
        double cpu0 = cpuSeconds(serve.pid());
        double sum0 = daemon.reconcileSeconds();
        await(3 * resync + 600, "the next resync", () -> daemon.reconciles() >= count + 2 * environments);
        double cpu = cpuSeconds(serve.pid()) - cpu0;
        System.out.printf("  no-op resync of %d services: %.2f CPU s over one resync interval (%d s, idle time"
            + " included), the reconcile itself %.2f s; load average %s%n", services, cpu, resync,
            daemon.reconcileSeconds() - sum0, CliValidate.loadAverage());
      } finally {
        serve.destroy();
        if (!serve.waitFor(60, TimeUnit.SECONDS)) {
          serve.destroyForcibly();
        }
      }
    }
  }

  /** Adds {@code pattern}, commits and pushes to {@code bare}; the commit id. */
  private static String commit(Git work, Path bare, String pattern, String message) throws Exception {
    work.add().addFilepattern(pattern).call();
    PersonIdent me = new PersonIdent("Bench", "bench@example.com");
    String id = work.commit().setMessage(message).setAuthor(me).setCommitter(me).call().getName();
    work.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
        .call();
    return id;
  }

  /** What the process holds: RSS now and at its peak, the heap in use, and in use after a full GC. */
  private record Memory(long rssMib, long peakRssMib, long heapMib, long liveHeapMib, long committedHeapMib) {
    @Override
    public String toString() {
      return "RSS " + rssMib + " MiB (peak " + peakRssMib + " MiB), heap used " + heapMib + " MiB, after a full GC "
          + liveHeapMib + " MiB (committed " + committedHeapMib + " MiB)";
    }
  }

  private static Memory memory(long pid, Daemon daemon) throws Exception {
    long heap = (long) daemon.metric("jvm_memory_used_bytes", "area=\"heap\"") >> 20;
    Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    gc.waitFor(60, TimeUnit.SECONDS);
    long live = (long) daemon.metric("jvm_memory_used_bytes", "area=\"heap\"") >> 20;
    long committed = (long) daemon.metric("jvm_memory_committed_bytes", "area=\"heap\"") >> 20;
    Map<String, Long> status = new java.util.HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      String[] f = line.split("\\s+");
      if (f.length >= 2 && (f[0].equals("VmRSS:") || f[0].equals("VmHWM:"))) {
        status.put(f[0], Long.parseLong(f[1]) >> 10);
      }
    }
    return new Memory(status.getOrDefault("VmRSS:", -1L), status.getOrDefault("VmHWM:", -1L), heap, live, committed);
  }

  /** CPU seconds the process has used so far (user + system). */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  private static void await(int seconds, String what, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + seconds + " s: " + what);
      }
      Thread.sleep(200); // polling a process's API in a benchmark driver, not in a test (each status costs the daemon)
    }
  }

  /** The daemon's HTTP API. */
  private static final class Daemon {
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    Daemon(int port) {
      this.port = port;
    }

    private String get(String path) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    /** Whether the target of {@code env} is SYNCED at {@code commit} (false while the API is not up). */
    boolean synced(String env, String commit) {
      try {
        for (JsonNode t : JSON.readTree(get("/api/v1/status")).path("targets")) {
          if (t.path("environment").asText().equals(env)) {
            return t.path("appliedCommit").asText().equals(commit) && t.path("sync").asText().equals("SYNCED");
          }
        }
        return false;
      } catch (Exception notYet) {
        return false;
      }
    }

    void webhook() throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/api/v1/webhooks/generic?repo=platform")).header("X-Paved-Token", TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 202) {
        throw new IllegalStateException("webhook answered " + r.statusCode() + ": " + r.body());
      }
    }

    /** The sum of a metric's samples whose labels contain {@code labels}. */
    double metric(String name, String labels) throws Exception {
      double sum = 0;
      for (String line : get("/metrics").split("\n")) {
        if (line.startsWith(name + "{") && line.contains(labels)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    }

    /** Reconciles so far (the histogram's count; -1 while the API does not answer). */
    double reconciles() {
      try {
        return metric("paved_reconcile_duration_seconds_count", "");
      } catch (Exception e) {
        return -1;
      }
    }

    double reconcileSeconds() {
      try {
        return metric("paved_reconcile_duration_seconds_sum", "");
      } catch (Exception e) {
        return Double.NaN;
      }
    }
  }
}
