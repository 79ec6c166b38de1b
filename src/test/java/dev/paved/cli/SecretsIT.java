package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.paved.reconcile.LivePlatform;
import dev.paved.source.SourceFile;
import dev.paved.source.TestRemote;
import dev.paved.testing.Await;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
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
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Known secrets planted in every input path of a real {@code paved serve} on the real apiserver
 * and real git (a git token file of a remote that refuses it, a webhook secret, the API token,
 * a kubeconfig token and the control plane's own client key, an ssh key file, a token in a repo
 * URL) never appear in the logs, {@code /api/v1/status}, {@code /metrics}, any API response or
 * the CLI's output, while each path did run (its failure is visible, scrubbed).
 */
@RealCluster
class SecretsIT {

  private static final String GIT_TOKEN = "planted-git-token-Zx81";
  private static final String WEBHOOK_SECRET = "planted-webhook-secret-Q7";
  private static final String API_TOKEN = "planted-api-token-K2";
  private static final String KUBE_TOKEN = "planted-kube-token-M5";
  private static final String SSH_KEY_LINE = "cGxhbnRlZC1zc2gta2V5LW1hdGVyaWFsLVI5";
  private static final String URL_TOKEN = "planted-url-token-P3";

  @TempDir
  Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void noPlantedSecretReachesLogsStatusMetricsResponsesOrTheCli(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String kubeconfig = Files.readString(cluster.kubeconfig());
    Matcher key = Pattern.compile("client-key-data: (\\S+)").matcher(kubeconfig);
    assertThat(key.find()).isTrue();
    String clientKeyData = key.group(1);
    String clientKeyBody = new String(Base64.getDecoder().decode(clientKeyData), StandardCharsets.UTF_8)
        .lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    List<String> secrets = List.of(GIT_TOKEN, WEBHOOK_SECRET, API_TOKEN, KUBE_TOKEN, SSH_KEY_LINE, URL_TOKEN,
        clientKeyData, clientKeyBody);

    // a second cluster whose kubeconfig holds a token the apiserver refuses
    Path badKubeconfig = Files.writeString(dir.resolve("bad-kubeconfig"), kubeconfig.replaceAll(
        "(?s)users:.*?contexts:", "users:\n- name: paved-admin\n  user:\n    token: " + KUBE_TOKEN + "\ncontexts:"));
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    String broken = p.environment + "-broken";
    // a git server that refuses every credential it is sent
    HttpServer git = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    git.createContext("/", ex -> {
      byte[] body = ("refused " + ex.getRequestHeaders().getFirst("Authorization")).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
      ex.sendResponseHeaders(401, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    git.start();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    Map<String, String> bodies = new LinkedHashMap<>();
    PrintStream originalErr = System.err;
    Logger paved = (Logger) LoggerFactory.getLogger("dev.paved");
    Level originalLevel = paved.getLevel();
    try (TestRemote remote = TestRemote.create(dir.resolve("git"))) {
      for (SourceFile f : p.fixtures().tree().files().values()) {
        remote.write(f.path(), new String(f.bytes(), StandardCharsets.UTF_8));
      }
      remote.write("clusters/broken.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n");
      remote.write("environments/" + broken + ".yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: Environment
          tier: dev
          cluster: broken
          namespace: %s
          createNamespaces: false
          """.formatted(client.getNamespace()));
      remote.commitAndPush("a platform with a broken cluster");

      Files.writeString(dir.resolve("git-token"), GIT_TOKEN + "\n");
      Files.writeString(dir.resolve("webhook-secret"), WEBHOOK_SECRET + "\n");
      Files.writeString(dir.resolve("api-token"), API_TOKEN + "\n");
      Files.writeString(dir.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n" + SSH_KEY_LINE
          + "\n-----END OPENSSH PRIVATE KEY-----\n");
      Files.writeString(dir.resolve("known_hosts"), "");
      Path config = Files.writeString(dir.resolve("paved.yaml"), """
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          http:
            host: 127.0.0.1
            port: 0
            tokenFile: api-token
          stateDir: state
          drainTimeout: 5s
          defaults:
            retry: {initialDelay: 200ms, maxDelay: 1s}
          repos:
            - name: platform
              url: %s
              pollInterval: 1h
              webhookSecretFile: webhook-secret
            - name: private
              url: http://127.0.0.1:%d/acme/config.git
              pollInterval: 1s
              credentials: {tokenFile: git-token}
            - name: viassh
              url: ssh://git@127.0.0.1:%d/acme/config.git
              pollInterval: 1s
              credentials: {sshKeyFile: id_ed25519, knownHostsFile: known_hosts}
          clusters:
            main: {kubeconfig: {file: %s}}
            broken: {kubeconfig: {file: %s}}
          """.formatted(remote.url(), git.getAddress().getPort(), closedPort, cluster.kubeconfig().toAbsolutePath(),
          badKubeconfig.toAbsolutePath()));

      paved.setLevel(Level.DEBUG);
      System.setErr(new PrintStream(new Tee(logs, originalErr), true, StandardCharsets.UTF_8));
      List<HttpResponse<String>> responses = new ArrayList<>();
      CompletableFuture<Void> stop = new CompletableFuture<>();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = Main.commandLine(new CommandLine.IFactory() {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
          return cls == ServeCommand.class ? cls.cast(new ServeCommand(ServeCommand::openCore, stop))
              : CommandLine.defaultFactory().create(cls);
        }
      });
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.execute(cli,
          new String[] {"serve", "--config", config.toString()}, new PrintWriter(out, true), new PrintWriter(err, true)));
      try {
        Await.await(Duration.ofSeconds(30), "the API line", () -> out.toString().contains("API on") || exit.isDone());
        assertThat(exit).as(err.toString()).isNotDone();
        Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        String base = "http://127.0.0.1:" + m.group(1);

        Await.await(Duration.ofSeconds(90), "the refused fetch, the unreachable ssh remote and the refused"
            + " kubeconfig token show in the status", () -> {
              String s = get(base + "/api/v1/status").body();
              boolean targetFailed = false;
              for (JsonNode t : json(s).path("targets")) {
                targetFailed |= t.path("environment").asText().equals(broken) && t.path("lastError").isTextual();
              }
              return targetFailed && s.contains("the remote refused the credentials")
                  && s.contains("cannot fetch branch main of ssh");
            });
        String payload = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"" + remote.url() + "\"}}";
        responses.add(post(base + "/api/v1/webhooks/github", payload, "X-GitHub-Event", "push",
            "X-Hub-Signature-256", hmac(WEBHOOK_SECRET, payload)));
        responses.add(post(base + "/api/v1/webhooks/generic?repo=platform", "", "Authorization", "Bearer " + WEBHOOK_SECRET));
        responses.add(post(base + "/api/v1/webhooks/gitlab?repo=platform", "", "X-Gitlab-Token", WEBHOOK_SECRET + "x"));
        responses.add(post(base + "/api/v1/webhooks/gitlab?repo=" + WEBHOOK_SECRET, "", "X-Gitlab-Token", WEBHOOK_SECRET));
        responses.add(post(base + "/api/v1/repos/private/refresh", "", "Authorization", "Bearer " + API_TOKEN));
        responses.add(post(base + "/api/v1/repos/private/refresh", "", "Authorization", "Bearer " + API_TOKEN + "x"));
        responses.add(post(base + "/api/v1/repos/platform/revert", "{\"commit\":\"abcdef1\",\"reason\":\"" + API_TOKEN
            + "\"}", "Authorization", "Bearer " + API_TOKEN));
        responses.add(post(base + "/api/v1/repos/private/revert", "{\"commit\":\"abcdef1\"}",
            "Authorization", "Bearer " + API_TOKEN));
        assertThat(responses.get(0).statusCode()).as(responses.get(0).body()).isEqualTo(202);
        assertThat(responses.get(1).statusCode()).as(responses.get(1).body()).isEqualTo(202);
        assertThat(responses.get(2).statusCode()).isEqualTo(401);
        assertThat(responses.get(4).statusCode()).isEqualTo(202);
        assertThat(responses.get(5).statusCode()).isEqualTo(401);
        assertThat(responses.get(7).statusCode()).as(responses.get(7).body()).isGreaterThanOrEqualTo(400);
        Await.await(Duration.ofSeconds(30), "the failing fetch of repo private is logged again",
            () -> logs.toString(StandardCharsets.UTF_8).contains("fetch of repo private failed"));
        bodies.put("status", get(base + "/api/v1/status").body());
        bodies.put("metrics", get(base + "/metrics").body());
        bodies.put("readyz", get(base + "/readyz").body());
        bodies.put("404", get(base + "/api/v1/nothing-" + API_TOKEN).body());
        for (int i = 0; i < responses.size(); i++) {
          bodies.put("response " + i, responses.get(i).body());
        }
      } finally {
        stop.complete(null);
      }
      assertThat(exit.get(60, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(bodies.get("status")).contains("the remote refused the credentials").contains("tokenFile=");
      assertThat(bodies.get("metrics")).contains("paved_");

      // a token in a repo URL: refused at file:line:col, and the CLI never prints it
      Path bad = Files.writeString(dir.resolve("bad.yaml"), """
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          repos:
            - name: platform
              url: https://%s@git.example.com/acme/config.git
          """.formatted(URL_TOKEN));
      StringWriter badOut = new StringWriter();
      StringWriter badErr = new StringWriter();
      int code = Main.run(new String[] {"serve", "--config", bad.toString()}, new PrintWriter(badOut, true),
          new PrintWriter(badErr, true));
      assertThat(code).isEqualTo(ExitCodes.USAGE);
      assertThat(badErr.toString()).contains(bad + ":5:").contains("user info");
      bodies.put("cli out (serve)", out.toString());
      bodies.put("cli err (serve)", err.toString());
      bodies.put("cli out (bad config)", badOut.toString());
      bodies.put("cli err (bad config)", badErr.toString());
    } finally {
      System.setErr(originalErr);
      paved.setLevel(originalLevel);
      git.stop(0);
    }
    String log = logs.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("fetch of repo private failed").contains("request");
    bodies.put("logs", log);
    for (Map.Entry<String, String> b : bodies.entrySet()) {
      for (String s : secrets) {
        assertThat(b.getValue()).as("%s holds a planted secret", b.getKey()).doesNotContain(s);
      }
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cluster(String name, Path kubeconfig) {
    return """
        apiVersion: paved.dev/v1alpha1
        kind: Cluster
        connection:
          kubeconfig:
            file: %s
        """.formatted(kubeconfig.toAbsolutePath());
  }

  private HttpResponse<String> get(String url) {
    try {
      // with the API token: the status needs the read permission
      return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + API_TOKEN)
              .timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(String url, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
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

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
