package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.testing.Await;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The tokens file ({@code http.tokensFile}) is re-read when it changes, on a real server on
 * loopback: a token removed from the file stops working without a restart (refused for that
 * reason, nothing done), a file that becomes invalid keeps the tokens in use and says so in the
 * log (with {@code file:line:col}), the status ({@code api.files}) and the metrics, until a valid
 * file is taken again.
 */
class TokensReloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CI = "ci-token-reload-0123456789";
  private static final String ONCALL = "oncall-token-reload-0123456789";

  @TempDir
  Path tmp;
  Vertx vertx;
  ApiServer api;
  Path file;
  FakeDaemon daemon = new FakeDaemon();
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  ListAppender<ILoggingEvent> log = new ListAppender<>();
  Logger watched = (Logger) LoggerFactory.getLogger(WatchedFiles.class);

  @BeforeEach
  void setUp() throws Exception {
    log.start();
    watched.addAppender(log);
    file = tmp.resolve("tokens.yaml");
    write("""
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: ci, token: %s, permissions: [refresh]}
          - {name: oncall, token: %s, permissions: [read, refresh]}
        """.formatted(CI, ONCALL));
    vertx = Vertx.vertx();
    api = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.empty())
        .withTokensFile(new ApiServer.TokensFile(file, Duration.ofMillis(100))))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    watched.detachAppender(log);
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    daemon.close();
  }

  @Test
  void aTokenRemovedFromTheFileStopsWorkingWithoutARestart() throws Exception {
    assertThat(refresh(CI).statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform");

    write("""
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: oncall, token: %s, permissions: [read, refresh]}
        """.formatted(ONCALL));
    // Probed where it has no effect: ci may not read (403) until it is unknown (401).
    Await.await(Duration.ofSeconds(60), "the removed token is refused", () -> statusCode(CI) == 401);
    HttpResponse<String> refused = refresh(CI);
    assertThat(json(refused).path("error").asText()).isEqualTo("wrong bearer token");
    assertThat(daemon.refreshes).as("nothing done for the removed token").containsExactly("platform");
    assertThat(refresh(ONCALL).statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform");
    JsonNode tokens = status(ONCALL).path("api").path("files").get(0);
    assertThat(tokens.path("name").asText()).isEqualTo("tokens");
    assertThat(tokens.path("ok").asBoolean()).isTrue();
    assertThat(tokens.path("loadedAt").isTextual()).isTrue();
    assertThat(metrics()).contains("paved_api_file_reloads_total{file=\"tokens\",result=\"ok\"} 1.0");
  }

  @Test
  void aFileThatBecomesInvalidKeepsThePreviousTokensAndSaysWhere() throws Exception {
    // A second entry with the first one's name: refused at its line and column.
    write("""
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: oncall, token: %s, permissions: [read, refresh]}
          - {name: oncall, token: new-token-0123456789abc, permissions: [read, refresh]}
        """.formatted(ONCALL));
    String where = file + ":5:12: error: token name \"oncall\" is used twice";
    Await.await(Duration.ofSeconds(60), "the invalid file is reported", () -> !status(ONCALL).path("api")
        .path("files").get(0).path("ok").asBoolean());
    JsonNode tokens = status(ONCALL).path("api").path("files").get(0);
    assertThat(tokens.path("error").asText()).startsWith(where);
    assertThat(tokens.path("failingSince").isTextual()).isTrue();
    assertThat(tokens.path("files").get(0).asText()).isEqualTo(file.toString());
    assertThat(log.list).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR
        && e.getFormattedMessage().startsWith("the API tokens file (http.tokensFile) changed but cannot be used; the"
            + " previous one stays in use: " + where));
    assertThat(metrics()).contains("paved_api_file_reload_failing{file=\"tokens\"} 1.0")
        .contains("paved_api_file_reloads_total{file=\"tokens\",result=\"failed\"} 1.0");
    // The tokens in use are the previous file's: ci still works, the new one does not.
    assertThat(refresh(CI).statusCode()).isEqualTo(202);
    assertThat(refresh("new-token-0123456789abc").statusCode()).isEqualTo(401);

    // A missing file keeps them too.
    Files.delete(file);
    Await.await(Duration.ofSeconds(60), "the missing file is reported", () -> status(ONCALL).path("api")
        .path("files").get(0).path("error").asText().equals(file + ":1:1: error: the file is missing; put it back"));
    assertThat(refresh(CI).statusCode()).isEqualTo(202);

    // A valid file is taken again.
    write("""
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: oncall, token: %s, permissions: [read, refresh]}
        """.formatted(ONCALL));
    Await.await(Duration.ofSeconds(60), "the valid file is taken", () -> status(ONCALL).path("api").path("files")
        .get(0).path("ok").asBoolean());
    assertThat(refresh(CI).statusCode()).isEqualTo(401);
    assertThat(metrics()).contains("paved_api_file_reload_failing{file=\"tokens\"} 0.0");
  }

  private void write(String yaml) throws Exception {
    Path next = Files.writeString(tmp.resolve("tokens.yaml.new"), yaml);
    Files.move(next, tmp.resolve("tokens.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private HttpResponse<String> refresh(String token) {
    return send(HttpRequest.newBuilder(uri("/api/v1/repos/platform/refresh")).header("Authorization",
        "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private JsonNode status(String token) {
    return json(send(HttpRequest.newBuilder(uri("/api/v1/status")).header("Authorization", "Bearer " + token)));
  }

  private int statusCode(String token) {
    return send(HttpRequest.newBuilder(uri("/api/v1/status")).header("Authorization", "Bearer " + token)).statusCode();
  }

  private String metrics() {
    return send(HttpRequest.newBuilder(uri("/metrics"))).body();
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + api.port() + path);
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(r.statusCode() + " " + r.body(), e);
    }
  }
}
