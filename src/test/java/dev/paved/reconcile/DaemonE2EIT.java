package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.reconcile.DaemonStatus.SyncState;
import dev.paved.server.ApiServer;
import dev.paved.server.ServeRuntime;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import dev.paved.testing.TcpProxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end on the real apiserver and real git: webhooks (a bad signature triggers
 * nothing, a good one fetches at once), rollback through the API (a revert commit on the remote,
 * the cluster back to the old version), an apiserver outage survived without a restart, and a
 * daemon killed with SIGKILL and restarted on an empty disk converging from git and the inventory.
 */
@RealCluster
class DaemonE2EIT {

  private static final Duration SYNC = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Daemon daemon;
  private Vertx vertx;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private static boolean appliedAt(Daemon d, String environment, String commit) {
    return d.status().targets().stream().anyMatch(t -> t.environment().equals(environment)
        && t.appliedCommit().equals(Optional.of(commit)) && t.sync() == SyncState.SYNCED);
  }

  private static String image(KubernetesClient client, String name) {
    var d = client.apps().deployments().withName(name).get();
    return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private DaemonConfig config(DaemonIT.Remote remote, Optional<Path> webhookSecret) {
    DaemonConfig.Repo repo = DaemonConfig.repo("platform", remote.url(), "main");
    repo = new DaemonConfig.Repo(repo.name(), repo.url(), repo.branch(), repo.path(), Duration.ofHours(1),
        repo.credentials(), webhookSecret);
    return remote.reaching(DaemonConfig.of(dir.resolve("state"), repo).withDefaults(new DaemonConfig.Defaults("main",
        Duration.ofHours(1), 8, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2)))));
  }

  private int serve(Daemon d, String token) throws Exception {
    vertx = Vertx.vertx();
    ApiServer api = ApiServer.start(vertx, d, new ApiServer.Options("127.0.0.1", 0, Optional.of(token)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return api.port();
  }

  private HttpResponse<String> post(int port, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void webhooksAreCheckedAndRollbackRevertsThroughGit(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    Path secret = Files.writeString(dir.resolve("webhook-secret"), "s3cr3t-hook\n");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      daemon = Daemon.create(config(remote, Optional.of(secret)),
          Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(500))).start();
      await(SYNC, "first commit applied", () -> appliedAt(daemon, p.environment, c1));
      int port = serve(daemon, "api-token");

      String c2 = remote.commit(p.service("checkout", "2.0.0"), "checkout 2.0.0");
      String payload = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"" + remote.url() + "\"}}";
      var fetchedAt = daemon.status().repos().get(0).lastFetch();

      HttpResponse<String> bad = post(port, "/api/v1/webhooks/github?repo=platform", payload,
          "X-GitHub-Event", "push", "X-Hub-Signature-256", hmac("wrong-secret", payload));
      assertThat(bad.statusCode()).isEqualTo(401);
      assertThat(daemon.status().repos().get(0).lastFetch()).as("a refused webhook fetches nothing")
          .isEqualTo(fetchedAt);
      assertThat(daemon.status().repos().get(0).headCommit()).contains(c1);

      HttpResponse<String> good = post(port, "/api/v1/webhooks/github?repo=platform", payload,
          "X-GitHub-Event", "push", "X-Hub-Signature-256", hmac("s3cr3t-hook", payload));
      assertThat(good.statusCode()).isEqualTo(202);
      await(SYNC, "the pushed commit is applied at once (poll interval is 1h)", () -> appliedAt(daemon, p.environment, c2));
      assertThat(image(client, "checkout")).endsWith(":2.0.0");

      HttpResponse<String> unauthorized = post(port, "/api/v1/repos/platform/revert", "{\"commit\":\"" + c2 + "\"}");
      assertThat(unauthorized.statusCode()).isEqualTo(401);
      HttpResponse<String> revert = post(port, "/api/v1/repos/platform/revert",
          "{\"commit\":\"" + c2 + "\",\"reason\":\"2.0.0 breaks checkout\"}",
          "Authorization", "Bearer api-token");
      assertThat(revert.statusCode()).as(revert.body()).isEqualTo(200);
      JsonNode outcome = JSON.readTree(revert.body());
      String revertCommit = outcome.path("revertCommit").asText();
      assertThat(revertCommit).matches("[0-9a-f]{40}");

      await(SYNC, "the revert is reconciled like any commit", () -> appliedAt(daemon, p.environment, revertCommit));
      assertThat(image(client, "checkout")).endsWith(":1.0.0");
      try (Git bare = Git.open(remote.bare.toFile())) {
        RevCommit head = bare.log().setMaxCount(1).call().iterator().next();
        assertThat(head.getName()).isEqualTo(revertCommit);
        assertThat(head.getFullMessage()).contains(c2).contains("Rolled back by default with paved: 2.0.0 breaks checkout");
        // http.tokenFile's one token is named "default": the revert's author
        assertThat(head.getAuthorIdent().getName()).isEqualTo("default");
      }
    }
  }

  @Test
  void anApiserverOutageIsReportedRetriedAndSurvivedWithoutARestart(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    URI api = URI.create(cluster.apiServerUrl());
    try (TcpProxy proxy = new TcpProxy(api.getHost(), api.getPort())) {
      Path kubeconfig = Files.writeString(dir.resolve("proxied-kubeconfig"), Files.readString(cluster.kubeconfig())
          .replace(cluster.apiServerUrl().replaceAll("/$", ""), "https://127.0.0.1:" + proxy.port()));
      LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
      try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, kubeconfig)) {
        String c1 = remote.commit(p, "first");
        daemon = Daemon.create(config(remote, Optional.empty()),
            Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(500))).start();
        await(SYNC, "first commit applied", () -> appliedAt(daemon, p.environment, c1));

        proxy.stop();
        String c2 = remote.commit(p.service("checkout", "2.0.0"), "during the outage");
        daemon.refresh("platform");
        await(SYNC, "the outage shows in the status", () -> daemon.status().targets().stream()
            .anyMatch(t -> t.environment().equals(p.environment) && t.lastError().isPresent()));
        assertThat(image(client, "checkout")).endsWith(":1.0.0");

        proxy.start();
        await(SYNC, "converges once the apiserver is back, no restart", () -> appliedAt(daemon, p.environment, c2));
        assertThat(image(client, "checkout")).endsWith(":2.0.0");
        assertThat(daemon.status().targets().stream().filter(t -> t.environment().equals(p.environment))
            .findFirst().orElseThrow().lastError()).isEmpty();
      }
    }
  }

  @Test
  void aDaemonKilledMidApplyAndRestartedOnAnEmptyDiskConverges(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    Path root = Path.of(System.getProperty("paved.basedir", ".")).toAbsolutePath();
    Path jar = root.resolve("target/paved.jar");
    assertThat(jar).exists();
    LivePlatform p = new LivePlatform(client.getNamespace());
    for (int i = 0; i < 40; i++) {
      p.service("svc-" + i, "1.0.0");
    }
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      remote.commit(p, "forty services");
      Process first = serveProcess(jar, remote, dir.resolve("state-1"));
      try {
        await(SYNC, "the first daemon started applying", () -> !client.serviceAccounts().list().getItems().isEmpty());
      } finally {
        first.destroyForcibly(); // SIGKILL, mid-apply if the timing allows
        first.waitFor(10, TimeUnit.SECONDS);
      }
      // A new disk: no mirror, no memory. Only git and the inventory in the cluster.
      Process second = serveProcess(jar, remote, dir.resolve("state-2"));
      try {
        await(SYNC, "every object exists", () -> client.apps().deployments().list().getItems().size() == 40
            && client.serviceAccounts().list().getItems().stream()
                .filter(a -> a.getMetadata().getName().startsWith("svc-")).count() == 40);
        String c2 = remote.commit(p.remove("svc-0"), "remove svc-0");
        await(SYNC, "the removed service is pruned, and only it", () ->
            client.apps().deployments().withName("svc-0").get() == null
                && client.apps().deployments().list().getItems().size() == 39);
        assertThat(client.services().list().getItems()).extracting(s -> s.getMetadata().getName())
            .hasSize(39).doesNotContain("svc-0");
        assertThat(c2).isNotBlank();
      } finally {
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("SIGTERM stops the daemon").isTrue();
      }
    }
  }

  private Process serveProcess(Path jar, DaemonIT.Remote remote, Path state) throws Exception {
    Files.createDirectories(state);
    Path config = Files.writeString(state.resolve("paved.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          host: 127.0.0.1
          port: 0
        stateDir: %s
        repos:
          - name: platform
            url: %s
            branch: main
            pollInterval: 1s
        clusters:
          main: {kubeconfig: {file: %s}}
        """.formatted(state.resolve("data"), remote.url(), remote.kubeconfig.toAbsolutePath()));
    return new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        jar.toString(), "serve", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(state.resolve("serve.log").toFile()).start();
  }
}
