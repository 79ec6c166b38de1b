package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.server.ApiServer;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API matches its OpenAPI document ({@code src/main/resources/openapi.json}, served at
 * {@code /api/v1/openapi.json}): Schemathesis (from PyPI, installed by {@code
 * scripts/schemathesis}) generates requests for every operation against a live daemon on the
 * real apiserver and checks that no response is a 500 and every response conforms to the
 * document (status code, content type, body schema).
 */
@RealCluster
class ApiContractIT {

  @TempDir
  Path dir;

  private Daemon daemon;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void everyResponseMatchesTheDocumentAndNoneIsAServerError(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      daemon = Daemon.create(remote.reaching(DaemonConfig.of(dir.resolve("state"),
          DaemonConfig.repo("platform", remote.url(), "main"))), Daemon.Options.defaults()).start();
      await(Duration.ofSeconds(90), "first commit applied", () -> daemon.status().targets().stream()
          .anyMatch(t -> t.appliedCommit().equals(Optional.of(c1))));
      vertx = Vertx.vertx();
      int port = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.of("api-token")))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).port();

      Path script = Path.of(System.getProperty("paved.basedir", ".")).resolve("scripts/schemathesis").toAbsolutePath();
      Path out = dir.resolve("schemathesis.log");
      Process st = new ProcessBuilder(List.of(script.toString(), "run",
          "http://127.0.0.1:" + port + "/api/v1/openapi.json",
          "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
          "--max-examples", "20", "--seed", "42", "--request-timeout", "20", "--no-color",
          "--header", "Authorization: Bearer api-token"))
          .directory(dir.toFile()) // its cache and reports stay out of the work tree
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      boolean done = st.waitFor(10, TimeUnit.MINUTES);
      String log = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(done).as("schemathesis finished within 10 minutes:\n" + log).isTrue();
      assertThat(st.exitValue()).as(log).isZero();
      assertThat(log).containsPattern("Operations: +(\\d+) selected / \\1 total")
          .containsPattern("(\\d+) generated, \\1 passed");
    }
  }
}
