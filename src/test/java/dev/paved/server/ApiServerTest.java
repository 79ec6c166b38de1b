package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.reconcile.DaemonFailure;
import dev.paved.testing.Await;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API on a real Vert.x server (loopback, random port) with the JDK's HttpClient,
 * against {@link FakeDaemon}. The blocked-thread checker runs strict (100 ms / 250 ms) and any
 * warning it logs fails the class.
 */
class ApiServerTest {

  private static final String TOKEN = "api-token-123";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static BlockedThreadWarnings blocked;
  private static FakeDaemon daemon;
  private static Vertx vertx;
  private static ApiServer api;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    blocked = new BlockedThreadWarnings();
    daemon = new FakeDaemon();
    vertx = ServeRuntime.vertx(BlockedThreadWarnings.strictOptions(), daemon.metrics());
    api = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.of(TOKEN)))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      assertThat(blocked.warnings()).as("Vert.x blocked-thread warnings").isEmpty();
    } finally {
      blocked.close();
    }
  }

  @BeforeEach
  void reset() {
    daemon.refreshes.clear();
    daemon.reverts.clear();
    daemon.accepts.clear();
    daemon.revertRequests.clear();
    daemon.ready.set(false);
  }

  // --- health, readiness, status, metrics

  @Test
  void healthzAnswers200WithARequestId() throws Exception {
    HttpResponse<String> r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("status").asText()).isEqualTo("ok");
    assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).isNotBlank());

    HttpResponse<String> given = send(HttpRequest.newBuilder(uri("/healthz")).header("X-Request-Id", "req-42").GET());
    assertThat(given.headers().firstValue("X-Request-Id")).hasValue("req-42");
    HttpResponse<String> unsafe = send(HttpRequest.newBuilder(uri("/healthz"))
        .header("X-Request-Id", "bad id with spaces").GET());
    assertThat(unsafe.headers().firstValue("X-Request-Id")).get().isNotEqualTo("bad id with spaces");
  }

  @Test
  void theDashboardAndTheOpenApiDocumentAreServed() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<title>Paved</title>").contains("src=\"app.js\"");
    assertThat(get("/app.js").body()).contains("/api/v1/status");
    JsonNode doc = json(get("/api/v1/openapi.json"));
    assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.path("paths").has("/api/v1/services/{name}")).isTrue();
    HttpResponse<String> unknown = read("/api/v1/services/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("error").asText()).isEqualTo("not found: /api/v1/services/nope");
    assertThat(get("/no-such-page").statusCode()).isEqualTo(404);
  }

  @Test
  void readyzIs503JsonUntilTheDaemonIsReady() throws Exception {
    HttpResponse<String> notReady = get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json(notReady).path("ready").asBoolean(true)).isFalse();
    assertThat(json(notReady).path("error").asText()).contains("not ready");
    assertThat(json(notReady).path("requestId").asText())
        .isEqualTo(notReady.headers().firstValue("X-Request-Id").orElseThrow());

    daemon.ready.set(true);
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).path("ready").asBoolean()).isTrue();
  }

  @Test
  void readEndpointsNeedAReadTokenAndAnUnauthenticatedCallNeverBuildsTheStatus() throws Exception {
    int built = daemon.statusBuilt.get();
    for (String path : List.of("/api/v1/status", "/api/v1/services/api", "/api/v1/services/api/history",
        "/api/v1/catalog", "/api/v1/audit")) {
      HttpResponse<String> none = get(path);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(json(none).path("error").asText()).isEqualTo("missing Authorization: Bearer <token> header");
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      HttpResponse<String> wrong = send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer nope").GET());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      assertThat(json(wrong).path("error").asText()).isEqualTo("wrong bearer token");
    }
    assertThat(daemon.statusBuilt.get()).as("the full status is never built for an unauthenticated call")
        .isEqualTo(built);
    // What stays public: health, readiness, metrics, the dashboard's files, the OpenAPI document.
    for (String path : List.of("/healthz", "/metrics", "/", "/app.js", "/api/v1/openapi.json")) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(daemon.statusBuilt.get()).isEqualTo(built);
  }

  @Test
  void statusIsTheDaemonStatusAsJson() throws Exception {
    HttpResponse<String> r = read("/api/v1/status");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode s = json(r);
    assertThat(s.path("ready").isBoolean()).isTrue();
    JsonNode repo = s.path("repos").get(0);
    assertThat(repo.path("name").asText()).isEqualTo("platform");
    assertThat(repo.path("headCommit").asText()).isEqualTo("bad1234");
    assertThat(repo.path("lastGoodCommit").asText()).isEqualTo("abc1234");
    assertThat(repo.path("lastFetch").asText()).isEqualTo("2026-11-22T10:15:30Z");
    assertThat(repo.path("lastError").path("commit").asText()).isEqualTo("bad1234");
    assertThat(repo.path("lastError").path("details").get(0).asText())
        .isEqualTo("services/api/service.yaml:3:5: error: unknown field \"replica\"");
    JsonNode empty = s.path("repos").get(1);
    assertThat(empty.has("headCommit")).isTrue();
    assertThat(empty.path("headCommit").isNull()).isTrue();
    JsonNode target = s.path("targets").get(0);
    assertThat(target.path("sync").asText()).isEqualTo("SYNCED");
    assertThat(target.path("changes").path("applied").asLong()).isEqualTo(3);
    assertThat(target.path("drift").get(0).path("fields").get(0).asText()).isEqualTo("spec.replicas");
    assertThat(target.path("lastError").isNull()).isTrue();
    assertThat(s.path("services").get(0).path("service").asText()).isEqualTo("api");
  }

  @Test
  void metricsArePrometheusTextWithTheDaemonsAndVertxMeters() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    Await.await(Duration.ofSeconds(10), "Vert.x HTTP server metrics in /metrics", () -> {
      try {
        return get("/metrics").body().contains("vertx_http_server_requests_total");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain; version=0.0.4");
    assertThat(r.body()).contains("# TYPE paved_git_fetch_errors_total counter")
        .contains("paved_git_fetch_errors_total{repo=\"platform\"} 3.0")
        .containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*route=\"/healthz\"");
  }

  // --- refresh

  @Test
  void refreshNeedsTheBearerToken() throws Exception {
    HttpResponse<String> none = post("/api/v1/repos/platform/refresh", "", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).path("error").asText()).contains("Bearer");
    assertThat(json(none).path("requestId").asText()).isNotBlank();
    HttpResponse<String> wrong = post("/api/v1/repos/platform/refresh", "", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> basic = post("/api/v1/repos/platform/refresh", "", "Basic " + TOKEN);
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(daemon.refreshes).isEmpty();

    HttpResponse<String> ok = post("/api/v1/repos/platform/refresh", "", "Bearer " + TOKEN);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(json(ok).path("refresh").get(0).asText()).isEqualTo("platform");
    assertThat(daemon.refreshes).containsExactly("platform");
  }

  @Test
  void refreshOfAnUnknownRepoIs404() throws Exception {
    HttpResponse<String> r = post("/api/v1/repos/nope/refresh", "", "Bearer " + TOKEN);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).path("error").asText()).contains("unknown repo \"nope\"").doesNotContain("platform")
        .doesNotContain("no-secret");
    assertThat(daemon.refreshes).isEmpty();
    // unauthenticated callers learn nothing about which repos exist
    assertThat(post("/api/v1/repos/nope/refresh", "", null).statusCode()).isEqualTo(401);
  }

  // --- revert

  @Test
  void revertReturnsTheOutcome() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/repos/platform/revert"))
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"commit\": \"abc1234\", \"reason\": \"broke checkout\"}")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outcome = json(r);
    assertThat(outcome.path("revertCommit").asText()).isEqualTo("f00dbabe");
    assertThat(outcome.path("branch").asText()).isEqualTo("main");
    assertThat(outcome.path("reverted").asText()).isEqualTo("abc1234");
    // The single token of http.tokenFile is named "default": the revert's author.
    assertThat(daemon.reverts).containsExactly(List.of("platform", "abc1234", "broke checkout", "default"));
    assertThat(daemon.revertRequests.get(0).pathOnly()).isFalse();
    assertThat(daemon.revertRequests.get(0).reviewBranch()).isEmpty();
    JsonNode audit = json(read("/api/v1/audit?limit=1")).path("entries").get(0);
    assertThat(audit.path("tokenName").asText()).isEqualTo("default");
    assertThat(audit.path("action").asText()).isEqualTo("revert");
    assertThat(audit.path("commit").asText()).isEqualTo("abc1234");
    assertThat(audit.path("outcome").asText()).isEqualTo("ok");
    assertThat(audit.path("requestId").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void theRevertBodyIsCheckedBeforeAnythingIsAsked() throws Exception {
    for (String[] c : new String[][] {
        {"{\"commit\": \"abc1234\", \"reason\": \"ok\\nSigned-off-by: ceo\"}", "\"reason\" must be one line"},
        {"{\"commit\": \"abc1234\", \"reason\": \"tab\\there\"}", "\"reason\" must be one line"},
        {"{\"commit\": \"abc1234\", \"reason\": \"sep\\u2028here\"}", "\"reason\" must be one line"},
        {"{\"commit\": \"abc1234\", \"reason\": 42}", "\"reason\" must be a string"},
        {"{\"commit\": \"abc1234\", \"pathOnly\": \"yes\"}", "\"pathOnly\" must be true or false"},
        {"{\"commit\": \"abc1234\", \"reviewBranch\": \"../main\"}", "\"reviewBranch\" must be a git branch name"},
        {"{\"commit\": \"abc1234\", \"author\": \"ceo\"}", "unknown field \"author\""}}) {
      HttpResponse<String> r = post("/api/v1/repos/platform/revert", c[0], "Bearer " + TOKEN);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(json(r).path("error").asText()).as(c[0]).contains(c[1]);
    }
    assertThat(daemon.reverts).isEmpty();
    HttpResponse<String> ok = post("/api/v1/repos/platform/revert",
        "{\"commit\": \"abc1234\", \"pathOnly\": true, \"reviewBranch\": \"rollback/api-1\"}", "Bearer " + TOKEN);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(daemon.revertRequests.get(0).pathOnly()).isTrue();
    assertThat(daemon.revertRequests.get(0).reviewBranch()).contains("rollback/api-1");
    assertThat(daemon.revertRequests.get(0).reason()).isEqualTo("no reason given");
  }

  @Test
  void xPavedActorFromATokenThatIsNotATrustedProxyIsRefused() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/repos/platform/revert"))
        .header("Authorization", "Bearer " + TOKEN).header("X-Paved-Actor", "ceo")
        .POST(HttpRequest.BodyPublishers.ofString("{\"commit\": \"abc1234\"}")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r).path("error").asText()).contains("token \"default\" is not a trusted proxy");
    assertThat(daemon.reverts).isEmpty();
  }

  @Test
  void revertConflictIs409Json() throws Exception {
    daemon.revertResult = c -> CompletableFuture.supplyAsync(() -> {
      throw new DaemonFailure(DaemonFailure.Kind.CONFLICT, "reverting " + c + " conflicts in services/api/service.yaml");
    });
    try {
      HttpResponse<String> r = post("/api/v1/repos/platform/revert", "{\"commit\": \"abc1234\"}", "Bearer " + TOKEN);
      assertThat(r.statusCode()).isEqualTo(409);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(json(r).path("error").asText()).isEqualTo("reverting abc1234 conflicts in services/api/service.yaml");
      assertThat(json(r).path("requestId").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());

      daemon.revertResult = c -> CompletableFuture.failedFuture(
          new DaemonFailure(DaemonFailure.Kind.UNKNOWN_COMMIT, "no commit " + c + " on main"));
      assertThat(post("/api/v1/repos/platform/revert", "{\"commit\": \"abc1234\"}", "Bearer " + TOKEN).statusCode())
          .isEqualTo(404);
      daemon.revertResult = c -> CompletableFuture.failedFuture(new IllegalStateException("boom: secret detail"));
      HttpResponse<String> internal = post("/api/v1/repos/platform/revert", "{\"commit\": \"abc1234\"}",
          "Bearer " + TOKEN);
      assertThat(internal.statusCode()).isEqualTo(500);
      assertThat(json(internal).path("error").asText()).startsWith("internal error").doesNotContain("secret detail");
    } finally {
      daemon.revertResult = c -> CompletableFuture.completedFuture(
          new dev.paved.reconcile.DaemonApi.RevertOutcome("f00dbabe", "main", c));
    }
  }

  @Test
  void revertChecksTokenRepoAndBody() throws Exception {
    assertThat(post("/api/v1/repos/platform/revert", "{\"commit\": \"abc1234\"}", null).statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/repos/nope/revert", "{\"commit\": \"abc1234\"}", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
    HttpResponse<String> notJson = post("/api/v1/repos/platform/revert", "commit=abc", "Bearer " + TOKEN);
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).path("error").asText()).contains("\"commit\"");
    assertThat(post("/api/v1/repos/platform/revert", "{\"commit\": \"HEAD~1; rm\"}", "Bearer " + TOKEN).statusCode())
        .isEqualTo(400);
    assertThat(daemon.reverts).isEmpty();
  }

  // --- accept-head

  @Test
  void acceptHeadAcceptsTheNamedCommitAsTheTokensCaller() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/repos/platform/accept-head"))
        .header("Authorization", "Bearer " + TOKEN).header("X-Paved-Actor", "Mallory <m@example.com>")
        .POST(HttpRequest.BodyPublishers.ofString("{\"commit\": \"ABC1234DEF\"}")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).path("accepted").asText()).isEqualTo("abc1234def5678abc1234def5678abc1234def56");
    assertThat(json(r).path("environments").get(0).asText()).isEqualTo("prod");
    assertThat(json(r).path("requestId").asText()).isNotBlank();
    // The caller is who the token is (the single token is "default"), never what a header claims.
    assertThat(daemon.accepts).containsExactly(List.of("platform", "abc1234def", "default"));
    JsonNode audit = json(read("/api/v1/audit?limit=1")).path("entries").get(0);
    assertThat(audit.path("action").asText()).isEqualTo("accept-head");
    assertThat(audit.path("tokenName").asText()).isEqualTo("default");
    assertThat(audit.path("commit").asText()).isEqualTo("abc1234def");
    assertThat(audit.path("outcome").asText()).isEqualTo("ok");
  }

  @Test
  void acceptHeadChecksTokenRepoAndBodyAndPassesRefusalsOn() throws Exception {
    assertThat(post("/api/v1/repos/platform/accept-head", "{\"commit\": \"abc1234\"}", null).statusCode())
        .isEqualTo(401);
    assertThat(post("/api/v1/repos/platform/accept-head", "{\"commit\": \"abc1234\"}", "Bearer wrong").statusCode())
        .isEqualTo(401);
    assertThat(post("/api/v1/repos/nope/accept-head", "{\"commit\": \"abc1234\"}", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
    for (String bad : List.of("{}", "commit=abc1234", "{\"commit\": \"abc12\"}", "{\"commit\": \"HEAD\"}", "[]")) {
      HttpResponse<String> r = post("/api/v1/repos/platform/accept-head", bad, "Bearer " + TOKEN);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(json(r).path("error").asText()).contains("\"commit\"");
    }
    assertThat(daemon.accepts).isEmpty();
    HttpResponse<String> moved = post("/api/v1/repos/platform/accept-head", "{\"commit\": \"0000000\"}",
        "Bearer " + TOKEN);
    assertThat(moved.statusCode()).isEqualTo(409);
    assertThat(json(moved).path("error").asText()).contains("nothing accepted");
  }

  // --- webhooks

  @Test
  void aGithubDeliverySeenWithinTheHourIsAnswered200WithoutASecondFetch() throws Exception {
    String body = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"" + FakeDaemon.PLATFORM_URL + "\"}}";
    String good = "sha256=" + Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(body));
    // An unsigned request cannot burn the delivery id.
    HttpResponse<String> forged = send(githubRequest(body, "sha256=00", "push").header("X-GitHub-Delivery", "d-1"));
    assertThat(forged.statusCode()).isEqualTo(401);
    HttpResponse<String> first = send(githubRequest(body, good, "push").header("X-GitHub-Delivery", "d-1"));
    assertThat(first.statusCode()).isEqualTo(202);
    HttpResponse<String> again = send(githubRequest(body, good, "push").header("X-GitHub-Delivery", "d-1"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).path("duplicate").asText()).isEqualTo("d-1");
    assertThat(json(again).path("refresh").size()).isZero();
    assertThat(daemon.refreshes).as("one fetch for one delivery").containsExactly("platform");
    assertThat(send(githubRequest(body, good, "push").header("X-GitHub-Delivery", "d-2")).statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform");
  }

  @Test
  void aGitlabRetryWithTheSameIdempotencyKeyIsAnswered200WithoutASecondFetch() throws Exception {
    String body = "{\"object_kind\":\"push\",\"project\":{\"git_http_url\":\"" + FakeDaemon.PLATFORM_URL + "\"}}";
    // A wrong token cannot burn the key.
    assertThat(send(gitlabRequest(body, "wrong").header("Idempotency-Key", "k-1")).statusCode()).isEqualTo(401);
    assertThat(send(gitlabRequest(body, FakeDaemon.SECRET).header("Idempotency-Key", "k-1")).statusCode())
        .isEqualTo(202);
    HttpResponse<String> retry = send(gitlabRequest(body, FakeDaemon.SECRET).header("Idempotency-Key", "k-1")
        .header("X-Gitlab-Webhook-Attempt-Number", "2"));
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(json(retry).path("duplicate").asText()).isEqualTo("k-1");
    assertThat(json(retry).path("refresh").size()).isZero();
    assertThat(daemon.refreshes).as("one fetch for one delivery").containsExactly("platform");
    // Another call (a new key), and a GitHub delivery with the same id: each fetches.
    assertThat(send(gitlabRequest(body, FakeDaemon.SECRET).header("Idempotency-Key", "k-2")).statusCode())
        .isEqualTo(202);
    String gh = "{\"repository\":{\"clone_url\":\"" + FakeDaemon.PLATFORM_URL + "\"}}";
    assertThat(send(githubRequest(gh, "sha256=" + Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(gh)), "push")
        .header("X-GitHub-Delivery", "k-1")).statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform", "platform");
  }

  @Test
  void withoutAnIdempotencyKeyAGitlabEventUuidDeduplicatesOnlyTheSamePayload() throws Exception {
    String push1 = "{\"object_kind\":\"push\",\"after\":\"1111\",\"project\":{\"git_http_url\":\""
        + FakeDaemon.PLATFORM_URL + "\"}}";
    String push2 = push1.replace("1111", "2222");
    assertThat(send(gitlabRequest(push1, FakeDaemon.SECRET).header("X-Gitlab-Event-UUID", "e-1")).statusCode())
        .isEqualTo(202);
    HttpResponse<String> again = send(gitlabRequest(push1, FakeDaemon.SECRET).header("X-Gitlab-Event-UUID", "e-1"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).path("duplicate").asText()).isEqualTo("e-1");
    // The same event UUID on another payload (an event a webhook receiver caused in turn) is a new push.
    assertThat(send(gitlabRequest(push2, FakeDaemon.SECRET).header("X-Gitlab-Event-UUID", "e-1")).statusCode())
        .isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform");
  }

  private static HttpRequest.Builder gitlabRequest(String body, String token) {
    return HttpRequest.newBuilder(uri("/api/v1/webhooks/gitlab")).header("X-Gitlab-Token", token)
        .header("X-Gitlab-Event", "Push Hook").POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void aWebhookForAnUnknownRepoDoesNotListTheRepos() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=nope"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).path("error").asText()).contains("unknown repo \"nope\"").doesNotContain("platform")
        .doesNotContain("no-secret");
  }

  @Test
  void githubWebhookWithAValidSignatureRefreshesOnce() throws Exception {
    String body = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"" + FakeDaemon.PLATFORM_URL
        + "\",\"ssh_url\":\"git@github.com:acme/platform-config.git\"}}";
    HttpResponse<String> r = github(body, "sha256=" + Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(body)), "push");
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(json(r).path("refresh").get(0).asText()).isEqualTo("platform");
    assertThat(daemon.refreshes).containsExactly("platform");
  }

  @Test
  void githubWebhookWithABadOrMissingSignatureIs401AndRefreshesNothing() throws Exception {
    String body = "{\"repository\":{\"clone_url\":\"" + FakeDaemon.PLATFORM_URL + "\"}}";
    String otherBody = body.replace("}}", ",\"x\":1}}");
    String signatureOfOtherBody = "sha256=" + Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(otherBody));
    HttpResponse<String> bad = github(body, signatureOfOtherBody, "push");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(json(bad).path("error").asText()).contains("X-Hub-Signature-256");
    assertThat(github(body, "sha256=" + Secrets.hmacSha256Hex("wrong-secret", bytes(body)), "push").statusCode())
        .isEqualTo(401);
    assertThat(github(body, Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(body)), "push").statusCode())
        .as("without the sha256= prefix").isEqualTo(401);
    assertThat(github(body, null, "push").statusCode()).isEqualTo(401);
    assertThat(daemon.refreshes).isEmpty();
  }

  @Test
  void githubPingIsAnsweredWithoutARefresh() throws Exception {
    String body = "{\"zen\":\"Keep it simple.\",\"repository\":{\"html_url\":\"https://github.com/Acme/platform-config\"}}";
    HttpResponse<String> r = github(body, "sha256=" + Secrets.hmacSha256Hex(FakeDaemon.SECRET, bytes(body)), "ping");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(daemon.refreshes).isEmpty();
  }

  @Test
  void gitlabWebhookChecksItsToken() throws Exception {
    String body = "{\"object_kind\":\"push\",\"project\":{\"git_ssh_url\":\"git@github.com:acme/platform-config.git\"}}";
    HttpResponse<String> bad = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/gitlab"))
        .header("X-Gitlab-Token", "wrong").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(daemon.refreshes).isEmpty();
    HttpResponse<String> ok = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/gitlab"))
        .header("X-Gitlab-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform");
  }

  @Test
  void genericWebhookTakesABearerOrXPavedTokenAndARepoParameter() throws Exception {
    HttpResponse<String> bearer = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=platform"))
        .header("Authorization", "Bearer " + FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(bearer.statusCode()).isEqualTo(202);
    HttpResponse<String> header = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=platform"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(header.statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform");

    HttpResponse<String> apiTokenIsNotTheSecret = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=platform"))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(apiTokenIsNotTheSecret.statusCode()).isEqualTo(401);
    HttpResponse<String> byUrl = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic"))
        .header("X-Paved-Token", FakeDaemon.SECRET)
        .POST(HttpRequest.BodyPublishers.ofString("{\"repository\":{\"url\":\"ssh://git@github.com:22/acme/platform-config/\"}}")));
    assertThat(byUrl.statusCode()).isEqualTo(202);
    assertThat(daemon.refreshes).containsExactly("platform", "platform", "platform");
  }

  @Test
  void webhooksForUnknownOrSecretlessReposRefreshNothing() throws Exception {
    HttpResponse<String> unknown = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=nope"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<String> unmatched = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic"))
        .header("X-Paved-Token", FakeDaemon.SECRET)
        .POST(HttpRequest.BodyPublishers.ofString("{\"repository\":{\"url\":\"https://github.com/acme/other\"}}")));
    assertThat(unmatched.statusCode()).isEqualTo(404);
    assertThat(json(unmatched).path("error").asText()).contains("?repo=NAME");
    HttpResponse<String> secretless = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=no-secret"))
        .header("X-Paved-Token", "").POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(secretless.statusCode()).isEqualTo(401);
    HttpResponse<String> unreadable = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=broken-secret"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(unreadable.statusCode()).isEqualTo(503);
    assertThat(json(unreadable).path("error").asText()).contains("cannot be read").doesNotContain("permission");
    HttpResponse<String> noRepo = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(noRepo.statusCode()).isEqualTo(400);
    HttpResponse<String> provider = post("/api/v1/webhooks/bitbucket?repo=platform", "{}", null);
    assertThat(provider.statusCode()).isEqualTo(404);
    assertThat(daemon.refreshes).isEmpty();
  }

  // --- limits and errors

  @Test
  void aBodyOverOneMebibyteIs413() throws Exception {
    byte[] big = new byte[(int) ApiServer.BODY_LIMIT_BYTES + 1];
    java.util.Arrays.fill(big, (byte) 'a');
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/webhooks/generic?repo=platform"))
        .header("X-Paved-Token", FakeDaemon.SECRET).POST(HttpRequest.BodyPublishers.ofByteArray(big)));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).path("error").asText()).contains("larger than");
    assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    assertThat(daemon.refreshes).isEmpty();
  }

  @Test
  void unknownPathsAndMethodsAreJsonErrors() throws Exception {
    HttpResponse<String> notFound = get("/api/v1/nothing");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(json(notFound).path("error").asText()).contains("/api/v1/nothing");
    assertThat(json(notFound).path("requestId").asText())
        .isEqualTo(notFound.headers().firstValue("X-Request-Id").orElseThrow());
    HttpResponse<String> method = send(HttpRequest.newBuilder(uri("/healthz")).DELETE());
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(json(method).path("error").asText()).contains("not allowed");
  }

  @Test
  void tokensCompareExactly() {
    assertThat(Secrets.equal("abc", "abc")).isTrue();
    assertThat(Secrets.equal("abc", "abd")).isFalse();
    assertThat(Secrets.equal("abc", "abcd")).isFalse();
    assertThat(Secrets.equal(null, "abc")).isFalse();
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!"
    assertThat(Secrets.hmacSha256Hex("It's a Secret to Everybody", bytes("Hello, World!")))
        .isEqualTo("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  // --- helpers

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + api.port() + path);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private static HttpResponse<String> read(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).GET());
  }

  private static HttpResponse<String> post(String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b);
  }

  private static HttpResponse<String> github(String body, String signature, String event) throws Exception {
    return send(githubRequest(body, signature, event));
  }

  private static HttpRequest.Builder githubRequest(String body, String signature, String event) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/webhooks/github"))
        .header("Content-Type", "application/json").header("X-GitHub-Event", event)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header("X-Hub-Signature-256", signature);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return MAPPER.readTree(r.body());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
