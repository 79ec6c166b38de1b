package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.apply.InventoryStore;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HA end to end: three {@code paved serve} processes (the shaded jar) on one config repo with six
 * targets, sharing them through Leases on the real apiserver. Each target is reconciled by exactly
 * one replica; a replica killed with SIGKILL has its targets taken over and re-synced within the
 * lease duration + 5 s; a replica stopped with SIGTERM hands its targets over at once (released,
 * not expired); and never two writers: every write of an inventory (watched, with the replica that
 * wrote it in its {@code paved.dev/written-by} annotation) comes from the replica that held the
 * target's Lease at that point of the apiserver's history (resourceVersions, one etcd revision
 * sequence, order the Lease and inventory events).
 */
@RealCluster
class HaE2EIT {

  private static final Duration SYNC = Duration.ofSeconds(120);
  /** Shorter than the defaults (15 s, 10 s, 2 s) to keep the test short; same ratios as client-go's. */
  private static final int LEASE_SECONDS = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  /** One event of the apiserver's history: a target Lease's holder, or an inventory's writer. */
  private record Event(long revision, String environment, boolean lease, String who) {}

  private final List<Event> history = new ArrayList<>();

  private final class Replica {
    final String id;
    final int port;
    final Process process;

    Replica(String id, int port, Process process) {
      this.id = id;
      this.port = port;
      this.process = process;
    }

    JsonNode status() {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
      } catch (Exception e) {
        return null; // not listening yet, or gone
      }
    }

    /**
     * The environments this replica shows held by another replica, {@code holder}, at {@code
     * commit} as that holder reported it on the target's Lease.
     */
    Set<String> reportedBy(String holder, String commit) {
      JsonNode s = status();
      Set<String> out = new TreeSet<>();
      if (s != null) {
        s.path("targets").forEach(t -> {
          JsonNode ha = t.path("ha");
          if (!ha.path("here").asBoolean(true) && holder.equals(ha.path("holder").asText())
              && holder.equals(ha.path("reportedBy").asText()) && commit.equals(t.path("appliedCommit").asText())
              && "SYNCED".equals(t.path("sync").asText()) && t.path("drift").isEmpty()) {
            out.add(t.path("environment").asText());
          }
        });
      }
      return out;
    }

    /** The environments this replica holds, by its own status. */
    Set<String> holds() {
      JsonNode s = status();
      Set<String> out = new TreeSet<>();
      if (s != null && s.path("ha").isObject()) {
        s.path("ha").path("targets").forEach(t -> {
          if (t.path("here").asBoolean()) {
            out.add(t.path("environment").asText());
          }
        });
      }
      return out;
    }

    /**
     * The environments this replica itself reports synced at {@code commit} (after {@code since},
     * when given): those it holds ({@code ha.here}), not its holders' reports of the others.
     */
    Set<String> syncedAt(String commit, Instant since) {
      JsonNode s = status();
      Set<String> out = new TreeSet<>();
      if (s != null) {
        s.path("targets").forEach(t -> {
          if (t.path("ha").path("here").asBoolean() && commit.equals(t.path("appliedCommit").asText())
              && "SYNCED".equals(t.path("sync").asText())
              && (since == null || t.path("lastSync").isTextual()
                  && Instant.parse(t.path("lastSync").asText()).isAfter(since))) {
            out.add(t.path("environment").asText());
          }
        });
      }
      return out;
    }
  }

  @Test
  void threeReplicasShareSixTargetsTakeOverAKilledOneAndNeverWriteTwice(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    Path jar = Path.of(System.getProperty("paved.basedir", ".")).toAbsolutePath().resolve("target/paved.jar");
    assertThat(jar).exists();
    String base = client.getNamespace();
    String suffix = base.substring(base.lastIndexOf('-') + 1);
    List<String> envs = new ArrayList<>();
    LivePlatform p = null;
    for (int i = 0; i < 6; i++) {
      String ns = i == 0 ? base : base + "-" + i;
      if (i > 0) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      String env = "ha-" + suffix + "-" + i;
      envs.add(env);
      if (p == null) {
        p = new LivePlatform(ns, env);
      } else {
        p.file("environments/" + env + ".yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            namespace: %s
            createNamespaces: false
            rbac:
              impersonate: false
            """.formatted(ns));
      }
    }
    p.service("checkout", "1.0.0");
    List<Watch> watches = watch(client, Set.copyOf(envs));
    Map<String, Replica> replicas = new LinkedHashMap<>();
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "six environments");
      for (int i = 0; i < 3; i++) {
        String id = "r" + i + "-" + suffix;
        replicas.put(id, serve(jar, remote, id));
      }
      List<Replica> all = List.copyOf(replicas.values());

      // 1. Settled: two targets each, disjoint, covering the six; each synced by its holder.
      await(SYNC, "each replica holds two targets, the six covered once, each synced at c1 by its holder", () ->
          shared(all, envs, 2) && all.stream().allMatch(r -> r.syncedAt(c1, null).containsAll(r.holds())));
      for (int i = 0; i < 6; i++) {
        String ns = i == 0 ? base : base + "-" + i;
        assertThat(client.apps().deployments().inNamespace(ns).withName("checkout").get()).as(ns).isNotNull();
      }

      // A new commit: each target reconciled by exactly one replica, its holder.
      String c2 = remote.commit(p.service("cart", "1.0.0"), "cart everywhere");
      await(SYNC, "every target synced at c2", () -> union(all, r -> r.syncedAt(c2, null)).containsAll(envs));
      for (Replica r : all) {
        assertThat(r.syncedAt(c2, null)).as("what %s reconciled at c2 is what it holds", r.id)
            .isEqualTo(r.holds());
      }
      // A replica's status of a target another one holds: the holder named, and its report (from the Lease).
      Replica first = all.get(0);
      for (Replica other : all.subList(1, 3)) {
        Set<String> theirs = other.holds();
        await(Duration.ofSeconds(30), first.id + " shows " + other.id + "'s report of its targets at c2",
            () -> first.reportedBy(other.id, c2).equals(theirs));
      }

      // 2. kill -9: the dead replica's targets are taken over and re-synced within lease + 5 s.
      Replica victim = all.get(1);
      Set<String> orphaned = victim.holds();
      assertThat(orphaned).hasSize(2);
      Instant killed = Instant.now();
      long killedRevision = revisionNow(client);
      victim.process.destroyForcibly();
      assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      List<Replica> alive = List.of(all.get(0), all.get(2));
      await(Duration.ofSeconds(LEASE_SECONDS + 5), "the killed replica's targets taken over and re-synced", () ->
          union(alive, r -> {
            Set<String> s = r.syncedAt(c2, killed);
            s.retainAll(r.holds());
            return s;
          }).containsAll(orphaned));
      await(SYNC, "the two left share the six, three each", () -> shared(alive, envs, 3));

      // 3. Another commit, reconciled by the holders only.
      String c3 = remote.commit(p.service("search", "1.0.0"), "search everywhere");
      await(SYNC, "every target synced at c3", () -> union(alive, r -> r.syncedAt(c3, null)).containsAll(envs));

      // 4. SIGTERM: the targets are released (not left to expire) and taken over at once.
      Replica leaving = all.get(2);
      Replica last = all.get(0);
      Set<String> handed = leaving.holds();
      assertThat(handed).hasSize(3);
      long signalledRevision = revisionNow(client);
      Instant signalled = Instant.now();
      leaving.process.destroy();
      assertThat(leaving.process.waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops the replica").isTrue();
      await(Duration.ofSeconds(LEASE_SECONDS), "the last replica holds and re-synced the handed-over targets", () -> {
        Set<String> s = last.syncedAt(c3, signalled);
        s.retainAll(last.holds());
        return s.containsAll(handed);
      });
      synchronized (history) {
        for (String env : handed) {
          assertThat(history).as("%s released by %s at shutdown", env, leaving.id)
              .anyMatch(e -> e.lease() && e.environment().equals(env) && e.who().isEmpty()
                  && e.revision() > signalledRevision);
        }
      }
      assertThat(client.leases().inNamespace(InventoryStore.NAMESPACE).withName("paved-replica-" + leaving.id).get())
          .as("the member Lease of a stopped replica is deleted").isNull();

      // 5. Never two writers.
      synchronized (history) {
        List<Event> events = new ArrayList<>(history);
        events.sort(java.util.Comparator.comparingLong(Event::revision));
        Map<String, String> holder = new HashMap<>();
        int writes = 0;
        for (Event e : events) {
          if (e.lease()) {
            holder.put(e.environment(), e.who());
            continue;
          }
          writes++;
          assertThat(e.who()).as("inventory write at revision %d of %s", e.revision(), e.environment())
              .isNotEmpty().isEqualTo(holder.get(e.environment()));
          if (e.who().equals(victim.id)) {
            assertThat(e.revision()).as("no write by the killed replica after its death").isLessThan(killedRevision);
          }
        }
        assertThat(writes).as("inventory writes seen: c1, c2 and c3 on six targets").isGreaterThanOrEqualTo(18);
      }
    } catch (Throwable t) {
      for (Replica r : replicas.values()) { // what each replica said, for the failure's reader
        List<String> lines = Files.readAllLines(dir.resolve(r.id).resolve("serve.log")).stream()
            .filter(l -> !l.contains("server.access")).toList();
        System.out.println("---- " + r.id + " (last 80 lines) ----\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size())));
        System.out.println("status: " + r.status());
      }
      throw t;
    } finally {
      watches.forEach(Watch::close);
      for (Replica r : replicas.values()) {
        r.process.destroy();
        if (!r.process.waitFor(60, TimeUnit.SECONDS)) {
          r.process.destroyForcibly();
        }
      }
    }
  }

  /** Whether every replica holds {@code each} targets, disjoint, covering {@code envs}. */
  private static boolean shared(List<Replica> replicas, List<String> envs, int each) {
    Set<String> seen = new TreeSet<>();
    int total = 0;
    for (Replica r : replicas) {
      Set<String> h = r.holds();
      if (h.size() != each) {
        return false;
      }
      seen.addAll(h);
      total += h.size();
    }
    return total == envs.size() && seen.equals(new TreeSet<>(envs));
  }

  private static Set<String> union(List<Replica> replicas, java.util.function.Function<Replica, Set<String>> f) {
    Set<String> out = new TreeSet<>();
    replicas.forEach(r -> out.addAll(f.apply(r)));
    return out;
  }

  /** The apiserver's current revision (a write's resourceVersion). */
  private static long revisionNow(KubernetesClient client) {
    ConfigMap cm = client.configMaps().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withGenerateName("revision-").endMetadata().build()).create();
    return Long.parseLong(cm.getMetadata().getResourceVersion());
  }

  /** Watches the target Leases and inventories of {@code envs}, recording every holder and writer. */
  private List<Watch> watch(KubernetesClient client, Set<String> envs) {
    Watch leases = client.leases().inNamespace(InventoryStore.NAMESPACE).withLabel("paved.dev/lease", "target")
        .watch(new Recorder<>(envs, true));
    Watch inventories = client.configMaps().inNamespace(InventoryStore.NAMESPACE)
        .withLabel(InventoryStore.ENVIRONMENT_LABEL).watch(new Recorder<>(envs, false));
    return List.of(leases, inventories);
  }

  private final class Recorder<T extends HasMetadata> implements Watcher<T> {
    private final Set<String> envs;
    private final boolean lease;

    Recorder(Set<String> envs, boolean lease) {
      this.envs = envs;
      this.lease = lease;
    }

    @Override
    public void eventReceived(Action action, T o) {
      if (action != Action.ADDED && action != Action.MODIFIED) {
        return;
      }
      Map<String, String> labels = o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
      String env = labels.get(lease ? "paved.dev/environment" : InventoryStore.ENVIRONMENT_LABEL);
      if (env == null || !envs.contains(env)) {
        return;
      }
      String who;
      if (lease) {
        who = ((Lease) o).getSpec().getHolderIdentity();
      } else {
        who = o.getMetadata().getAnnotations() == null ? null
            : o.getMetadata().getAnnotations().get(InventoryStore.WRITTEN_BY);
      }
      synchronized (history) {
        history.add(new Event(Long.parseLong(o.getMetadata().getResourceVersion()), env, lease,
            who == null ? "" : who));
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      // The test fails on its own assertions if events are missing.
    }
  }

  private Replica serve(Path jar, DaemonIT.Remote remote, String id) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path state = Files.createDirectories(dir.resolve(id));
    Path config = Files.writeString(state.resolve("paved.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          host: 127.0.0.1
          port: %d
          publicRead: true
        stateDir: %s
        resyncInterval: 10m
        repos:
          - name: platform
            url: %s
            branch: main
            pollInterval: 1s
        clusters:
          main: {kubeconfig: {file: %s}}
        ha:
          enabled: true
          leaseDuration: %ds
          renewDeadline: 7s
          retryPeriod: 1s
          cluster: main
          identity: %s
        """.formatted(port, state.resolve("data"), remote.url(), remote.kubeconfig.toAbsolutePath(), LEASE_SECONDS,
        id));
    Process process = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar.toString(), "serve", "--config",
        config.toString())).redirectErrorStream(true).redirectOutput(state.resolve("serve.log").toFile()).start();
    return new Replica(id, port, process);
  }
}
