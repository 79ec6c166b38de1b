package dev.paved.chart;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.Helm;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart installed with helm on the real apiserver, then {@code paved serve} run as a process
 * with the credentials of the chart's ServiceAccount (a TokenRequest token) against
 * examples/platform: every target syncs, so the chart's RBAC is enough; and that identity is not
 * cluster-admin: it cannot read Secrets in a namespace Paved does not manage, nor bind
 * cluster-admin. (The control plane has no nodes: the chart's pod never runs.)
 */
@RealCluster
class ChartInstallIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SYNC = Duration.ofMinutes(4);

  @TempDir
  Path dir;

  private Helm helm;
  private ControlPlane cluster;
  private String release;
  private Process daemon;

  @AfterEach
  void cleanUp() throws Exception {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroy();
      if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    if (release != null) {
      helm.run("uninstall", release, "--namespace", "paved-system", "--kubeconfig", cluster.kubeconfig().toString());
    }
  }

  @Test
  void theDaemonSyncsTheExamplesWithTheChartsIdentityAndNoMore(KubernetesClient client, ControlPlane cp)
      throws Exception {
    helm = Helm.find();
    cluster = cp;
    release = "paved-it-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    // the teams examples/platform declares: the daemon may act as exactly those
    List<String> teams;
    try (Stream<Path> files = Files.list(Helm.root().resolve("examples/platform/teams"))) {
      teams = files.map(f -> f.getFileName().toString().replaceFirst("\\.yaml$", "")).sorted().toList();
    }
    assertThat(teams).isNotEmpty();
    Path values = Files.writeString(dir.resolve("values.yaml"), """
        config:
          repos:
            - name: platform
              url: https://git.example.com/acme/platform-config.git
        teams: %s
        """.formatted(JSON.writeValueAsString(teams)));
    Helm.Result install = helm.run("install", release, helm.chart().toString(), "--namespace", "paved-system",
        "--create-namespace", "--kubeconfig", cp.kubeconfig().toString(), "-f", values.toString());
    assertThat(install.ok()).as(install.output()).isTrue();
    assertThat(install.output()).contains("STATUS: deployed", "RBAC scope: cluster",
        "it may act as teams " + String.join(", ", teams));
    String account = release; // the full name: the release name already says paved
    assertThat(client.apps().deployments().inNamespace("paved-system").withName(account).get()).isNotNull();

    TokenRequest token = client.serviceAccounts().inNamespace("paved-system").withName(account)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build());
    String bearer = token.getStatus().getToken();
    Path kubeconfig = kubeconfig(cp, bearer);

    try (KubernetesClient asPaved = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
      // not cluster-admin: Secrets of a namespace it does not manage, and binding cluster-admin
      client.resource(new SecretBuilder().withNewMetadata().withName("unmanaged-secret").endMetadata()
          .addToStringData("password", "hunter2").build()).create();
      assertForbidden(() -> asPaved.secrets().inNamespace(client.getNamespace()).withName("unmanaged-secret").get());
      assertForbidden(() -> asPaved.secrets().inNamespace("kube-system").list());
      assertForbidden(() -> asPaved.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
          .withNewMetadata().withName(release + "-escalate").endMetadata()
          .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
          .withName("cluster-admin").endRoleRef()
          .addNewSubject().withKind("ServiceAccount").withName(account).withNamespace("paved-system").endSubject()
          .build()).create());
      assertThat(client.rbac().clusterRoleBindings().withName(release + "-escalate").get()).isNull();
      assertForbidden(() -> asPaved.pods().inNamespace("kube-system").list());
    }
    // it may act as the declared teams only: not as an undeclared team, not as system:masters
    for (String[] who : new String[][] {{"paved:team:undeclared", "paved:teams"}, {"paved:team:" + teams.get(0),
        "system:masters"}}) {
      Config impersonating = Config.fromKubeconfig(Files.readString(kubeconfig));
      impersonating.setImpersonateUsername(who[0]);
      impersonating.setImpersonateGroups(who[1]);
      try (KubernetesClient as = new KubernetesClientBuilder().withConfig(impersonating).build()) {
        assertThatThrownBy(() -> as.configMaps().inNamespace("paved-system").list())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage()).contains("cannot impersonate");
            });
      }
    }

    Path config = daemonConfig(configRepo(), kubeconfig);
    int port = freePort();
    Path log = dir.resolve("serve.log");
    Path root = Helm.root();
    daemon = new ProcessBuilder("java", "@" + root.resolve("scripts/jvm/serve.options"), "-jar",
        root.resolve("target/paved.jar").toString(), "serve", "--config", config.toString(), "--port",
        Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    HttpClient http = HttpClient.newHttpClient();
    URI status = URI.create("http://127.0.0.1:" + port + "/api/v1/status");
    List<String> last = new ArrayList<>();
    try {
      await(SYNC, "every target of examples/platform synced by the chart's identity", () -> {
        assertThat(daemon.isAlive()).as("paved serve is running").isTrue();
        try {
          JsonNode s = JSON.readTree(http.send(HttpRequest.newBuilder(status).build(),
              HttpResponse.BodyHandlers.ofString()).body());
          last.clear();
          s.path("repos").forEach(r -> last.add("repo " + r.path("name").asText() + " head "
              + r.path("headCommit").asText() + " " + r.path("lastError").toString()));
          s.path("targets").forEach(t -> last.add(t.path("environment").asText() + "=" + t.path("sync").asText()
              + " " + t.path("lastError").toString()));
          return s.path("targets").size() == 3
              && last.stream().filter(t -> !t.startsWith("repo ")).allMatch(t -> t.contains("=SYNCED"));
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
    } catch (AssertionError e) {
      throw new AssertionError("targets: " + last + "\nserve log:\n" + tail(log), e);
    }
    assertThat(client.apps().deployments().inNamespace("payments-prod").withName("checkout").get()).isNotNull();
    assertThat(client.configMaps().inNamespace("paved-system").withName(dev.paved.apply.InventoryStore.name("platform", "prod")).get())
        .isNotNull();
  }

  private static void assertForbidden(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
  }

  /** A kubeconfig with the admin kubeconfig's server and CA, and the ServiceAccount's token as its only user. */
  private Path kubeconfig(ControlPlane cp, String token) throws IOException {
    JsonNode admin = new YAMLMapper().readTree(cp.kubeconfig().toFile());
    JsonNode adminCluster = admin.path("clusters").get(0).path("cluster");
    Map<String, Object> kubeconfig = Map.of(
        "apiVersion", "v1", "kind", "Config", "current-context", "paved",
        "clusters", List.of(Map.of("name", "paved", "cluster", JSON.convertValue(adminCluster, Map.class))),
        "users", List.of(Map.of("name", "paved", "user", Map.of("token", token))),
        "contexts", List.of(Map.of("name", "paved", "context", Map.of("cluster", "paved", "user", "paved"))));
    Path file = dir.resolve("paved-sa.kubeconfig");
    new YAMLMapper().writeValue(file.toFile(), kubeconfig);
    return file;
  }

  /** examples/platform as a git repo. */
  private Path configRepo() throws Exception {
    Path repo = dir.resolve("config");
    Path examples = Helm.root().resolve("examples/platform");
    try (Stream<Path> walk = Files.walk(examples)) {
      for (Path p : walk.toList()) {
        Path to = repo.resolve(examples.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    try (Git git = Git.init().setInitialBranch("main").setDirectory(repo.toFile()).call()) {
      git.add().addFilepattern(".").call();
      git.commit().setMessage("Example platform").setAuthor("Test", "test@example.com")
          .setCommitter("Test", "test@example.com").setSign(false).call();
    }
    return repo;
  }

  /** A daemon config following {@code repo}, whose two clusters are the control plane, reached with {@code kubeconfig}. */
  private Path daemonConfig(Path repo, Path kubeconfig) throws IOException {
    return Files.writeString(dir.resolve("paved.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http: {host: 127.0.0.1, publicRead: true}
        stateDir: %s
        defaults:
          retry: {initialDelay: 200ms, maxDelay: 2s}
        repos:
          - name: platform
            url: %s
            branch: main
            pollInterval: 1h
        clusters:
          nonprod: {kubeconfig: {file: %s}}
          prod-eu: {kubeconfig: {file: %s}}
        """.formatted(dir.resolve("state"), repo.toUri(), kubeconfig.toAbsolutePath(), kubeconfig.toAbsolutePath()),
        StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.contains("server.access")).toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
