package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.apply.Clusters;
import dev.paved.reconcile.Daemon;
import dev.paved.reconcile.DaemonConfig;
import dev.paved.source.Credentials;
import dev.paved.source.TestRemote;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accountable write API end to end: a real {@link Daemon} (not started: no cluster is
 * needed to revert) following a real git remote whose config repo is under {@code config/},
 * behind a real Vert.x server on loopback, with named tokens from a tokens file. Every refused
 * call is refused for its reason and pushes nothing; every call is in the audit log, which
 * survives a restart of the server.
 */
class WriteApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CI = "ci-token-0123456789";
  private static final String ONCALL = "oncall-token-0123456789";
  private static final String BOT = "chat-bot-token-0123456789";
  private static final String READER = "reader-token-0123456789";

  @TempDir
  Path tmp;
  TestRemote remote;
  Daemon daemon;
  Vertx vertx;
  ApiServer api;
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  RevCommit c2;
  RevCommit c3;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp.resolve("git"));
    remote.copy(Path.of("examples/platform"), "config").write("docs/README.md", "docs\n").commitAndPush("the example platform under config/");
    c2 = append("config/services/checkout/service.yaml", "# c2\n").commitAndPush("checkout: a note");
    c3 = append("config/services/web/service.yaml", "# c3\n").write("docs/README.md", "docs v2\n")
        .commitAndPush("web: a note, and the docs");
    Path noKube = tmp.resolve("no-such-kubeconfig");
    DaemonConfig.Repo repo = new DaemonConfig.Repo("platform", remote.url(), "main", "config", Duration.ofHours(1),
        Credentials.none(), Optional.empty());
    Clusters.Connection none = Clusters.Connection.kubeconfig(noKube, null);
    daemon = Daemon.create(DaemonConfig.of(tmp.resolve("state"), repo)
        .withClusters(new Clusters.Connections(Map.of("nonprod", none, "prod-eu", none), none)));
    Path tokens = Files.writeString(tmp.resolve("tokens.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: ci, token: %s, permissions: [refresh]}
          - {name: oncall, token: "sha256:%s", permissions: [read, revert]}
          - {name: chat-bot, token: %s, permissions: [revert], trustedProxy: true}
          - {name: reader, token: %s, permissions: [read]}
        """.formatted(CI, java.util.HexFormat.of().formatHex(ApiTokens.sha256(ONCALL)), BOT, READER));
    vertx = Vertx.vertx();
    api = start(ApiTokens.load(tokens));
  }

  private ApiServer start(ApiTokens tokens) throws Exception {
    return ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.empty())
        .withTokens(tokens).withAuditDir(tmp.resolve("state/audit")))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (api != null) {
      api.shutdown(1000).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.close();
    }
    remote.close();
  }

  @Test
  void aTokenWithoutThePermissionIsRefusedAndNothingIsPushed() throws Exception {
    ObjectId before = remote.head("main");
    HttpResponse<String> r = revert(CI, null, "{\"commit\": \"" + c2.name() + "\", \"reason\": \"bad note\"}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(error(r)).isEqualTo("token \"ci\" may not revert (its permissions: refresh); ask for a token with"
        + " the revert permission");
    HttpResponse<String> read = get("/api/v1/status", CI);
    assertThat(read.statusCode()).isEqualTo(403);
    assertThat(error(read)).startsWith("token \"ci\" may not read");
    HttpResponse<String> readerRefresh = post("/api/v1/repos/platform/refresh", READER, null, "");
    assertThat(readerRefresh.statusCode()).isEqualTo(403);
    assertThat(error(readerRefresh)).startsWith("token \"reader\" may not refresh (its permissions: read)");
    for (String token : List.of(CI, ONCALL)) {
      HttpResponse<String> accept = post("/api/v1/repos/platform/accept-head", token, null,
          "{\"commit\": \"" + c3.name() + "\"}");
      assertThat(accept.statusCode()).isEqualTo(403);
      assertThat(error(accept)).contains("may not accept-head");
    }
    assertThat(remote.head("main")).as("nothing pushed").isEqualTo(before);
    assertThat(remote.branches()).containsExactly("main");

    assertThat(post("/api/v1/repos/platform/refresh", CI, null, "").statusCode()).isEqualTo(202);
    JsonNode entries = audit(READER, "").path("entries");
    assertThat(entries.size()).isEqualTo(5);
    assertThat(entries.get(1).path("action").asText()).isEqualTo("accept-head");
    assertThat(entries.get(1).path("tokenName").asText()).isEqualTo("oncall");
    assertThat(entries.get(1).path("outcome").asText()).isEqualTo("refused");
    assertThat(entries.get(1).path("commit").asText()).isEqualTo(c3.name());
    assertThat(entries.get(0).path("tokenName").asText()).isEqualTo("ci");
    assertThat(entries.get(0).path("action").asText()).isEqualTo("refresh");
    assertThat(entries.get(0).path("outcome").asText()).isEqualTo("ok");
    assertThat(entries.get(4).path("tokenName").asText()).isEqualTo("ci");
    assertThat(entries.get(4).path("action").asText()).isEqualTo("revert");
    assertThat(entries.get(4).path("commit").asText()).isEqualTo(c2.name());
    assertThat(entries.get(4).path("outcome").asText()).isEqualTo("refused");
    assertThat(entries.get(4).path("status").asInt()).isEqualTo(403);
    assertThat(entries.get(4).path("detail").asText()).contains("may not revert");
    assertThat(entries.get(4).path("requestId").asText()).isEqualTo(r.headers().firstValue("X-Request-Id")
        .orElseThrow());
  }

  @Test
  void theRevertsAuthorIsTheTokensNameAndATrustedProxyActsOnBehalfOfItsActor() throws Exception {
    ObjectId before = remote.head("main");
    HttpResponse<String> forged = revert(ONCALL, "ceo", "{\"commit\": \"" + c2.name() + "\"}");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(error(forged)).startsWith("token \"oncall\" is not a trusted proxy");
    assertThat(remote.head("main")).isEqualTo(before);

    HttpResponse<String> r = revert(ONCALL, null, "{\"commit\": \"" + c2.name() + "\", \"reason\": \"the note is wrong\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    RevCommit revert = remote.commitOf(remote.head("main"));
    assertThat(json(r).path("revertCommit").asText()).isEqualTo(revert.name());
    assertThat(revert.getAuthorIdent().getName()).isEqualTo("oncall");
    assertThat(revert.getFullMessage()).contains("This reverts commit " + c2.name())
        .endsWith("Rolled back by oncall with paved: the note is wrong\n");

    String before2 = remote.head("main").name();
    HttpResponse<String> bot = revert(BOT, "Alice Admin <alice@example.com>", "{\"commit\": \"" + revert.name()
        + "\", \"reason\": \"asked in #ops\"}");
    assertThat(bot.statusCode()).as(bot.body()).isEqualTo(200);
    RevCommit byBot = remote.commitOf(remote.head("main"));
    assertThat(byBot.getParent(0).name()).isEqualTo(before2);
    assertThat(byBot.getAuthorIdent().getName()).isEqualTo("chat-bot on behalf of Alice Admin");
    assertThat(byBot.getAuthorIdent().getEmailAddress()).isEqualTo("alice@example.com");
    assertThat(byBot.getFullMessage()).contains("Rolled back by chat-bot on behalf of Alice Admin <alice@example.com>");

    HttpResponse<String> badActor = revert(BOT, "eve; X-Injected: 1",
        "{\"commit\": \"" + c2.name() + "\"}");
    assertThat(badActor.statusCode()).isEqualTo(400);
    assertThat(error(badActor)).startsWith("X-Paved-Actor must be one line");

    JsonNode entries = audit(ONCALL, "").path("entries");
    JsonNode botEntry = entries.get(1);
    assertThat(botEntry.path("tokenName").asText()).isEqualTo("chat-bot");
    assertThat(botEntry.path("actor").asText()).isEqualTo("Alice Admin <alice@example.com>");
    assertThat(botEntry.path("outcome").asText()).isEqualTo("ok");
  }

  @Test
  void aMultiLineReasonIsRefusedAndNothingIsPushed() throws Exception {
    ObjectId before = remote.head("main");
    HttpResponse<String> r = revert(ONCALL, null, "{\"commit\": \"" + c2.name()
        + "\", \"reason\": \"looks fine\\n\\nSigned-off-by: The CEO <ceo@example.com>\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).startsWith("\"reason\" must be one line");
    assertThat(remote.head("main")).isEqualTo(before);
  }

  @Test
  void aCommitTouchingFilesOutsideThePathIsRefusedUnlessOnlyThePathsPartIsReverted() throws Exception {
    ObjectId before = remote.head("main");
    HttpResponse<String> r = revert(ONCALL, null, "{\"commit\": \"" + c3.name() + "\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).contains("also changes files outside config (the config repo): docs/README.md")
        .contains("Nothing was pushed");
    assertThat(remote.head("main")).isEqualTo(before);

    HttpResponse<String> pathOnly = revert(ONCALL, null, "{\"commit\": \"" + c3.name() + "\", \"pathOnly\": true}");
    assertThat(pathOnly.statusCode()).as(pathOnly.body()).isEqualTo(200);
    assertThat(json(pathOnly).path("paths")).hasSize(1);
    assertThat(json(pathOnly).path("paths").get(0).asText()).isEqualTo("config/services/web/service.yaml");
    ObjectId head = remote.head("main");
    assertThat(remote.fileAt(head, "docs/README.md")).isEqualTo("docs v2\n");
    assertThat(remote.fileAt(head, "config/services/web/service.yaml")).doesNotContain("# c3");
  }

  @Test
  void aReviewBranchGetsTheRevertAndTheFollowedBranchStaysAsItIs() throws Exception {
    ObjectId before = remote.head("main");
    HttpResponse<String> r = revert(ONCALL, null, "{\"commit\": \"" + c2.name()
        + "\", \"reviewBranch\": \"rollback/checkout-note\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).path("branch").asText()).isEqualTo("rollback/checkout-note");
    assertThat(json(r).path("reviewBranch").asBoolean()).isTrue();
    assertThat(remote.head("main")).isEqualTo(before);
    ObjectId review = remote.head("rollback/checkout-note");
    assertThat(review.name()).isEqualTo(json(r).path("revertCommit").asText());
    assertThat(remote.commitOf(review).getParent(0).getId()).isEqualTo(before);
    assertThat(remote.fileAt(review, "config/services/checkout/service.yaml")).doesNotContain("# c2");

    HttpResponse<String> onBranch = revert(ONCALL, null, "{\"commit\": \"" + c2.name()
        + "\", \"reviewBranch\": \"main\"}");
    assertThat(onBranch.statusCode()).isEqualTo(400);
    assertThat(error(onBranch)).contains("the review branch must differ from main");
  }

  @Test
  void theAuditLogIsPagedNeedsATokenAndSurvivesARestart() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(post("/api/v1/repos/platform/refresh", CI, null, "").statusCode()).isEqualTo(202);
    }
    assertThat(revert(CI, null, "{\"commit\": \"" + c2.name() + "\"}").statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/audit", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/audit", CI).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/audit?limit=0", READER).statusCode()).isEqualTo(400);

    JsonNode first = audit(READER, "?limit=3");
    assertThat(first.path("entries").size()).isEqualTo(3);
    assertThat(first.path("entries").get(0).path("action").asText()).isEqualTo("revert");
    long next = first.path("next").asLong();
    JsonNode second = audit(READER, "?limit=3&before=" + next);
    assertThat(second.path("entries").size()).isEqualTo(1);
    assertThat(second.path("next").isNull()).isTrue();

    // A restart: a new server on the same state dir reads the log back, and goes on numbering.
    api.shutdown(1000).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(Files.readAllLines(tmp.resolve("state/audit/audit.jsonl"))).hasSize(4);
    api = start(ApiTokens.load(tmp.resolve("tokens.yaml")));
    assertThat(post("/api/v1/repos/platform/refresh", CI, null, "").statusCode()).isEqualTo(202);
    JsonNode after = audit(READER, "?limit=10");
    List<Long> seqs = new ArrayList<>();
    after.path("entries").forEach(e -> seqs.add(e.path("seq").asLong()));
    assertThat(seqs).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(after.path("entries").get(1).path("outcome").asText()).isEqualTo("refused");
  }

  @Test
  void aBadTokensFileIsRefusedAtItsLineWithoutPrintingAToken() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: a, token: short-secret, permissions: [revert]}
          - {name: b, token: "sha256:abc", permissions: [refresh]}
          - {name: c, token: this-one-is-long-enough, permissions: [deploy]}
        """);
    try {
      ApiTokens.load(bad);
      org.junit.jupiter.api.Assertions.fail("the file must be refused");
    } catch (DaemonConfig.InvalidConfigException e) {
      String all = String.join("\n", e.diagnostics().stream().map(Object::toString).toList());
      assertThat(all).contains("bad.yaml:6:").doesNotContain("this-one-is-long-enough");
    }
    Path bad2 = Files.writeString(tmp.resolve("bad2.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: ApiTokens
        tokens:
          - {name: a, token: short-secret, permissions: [revert]}
          - {name: b, token: "sha256:abc", permissions: [refresh]}
        """);
    try {
      ApiTokens.load(bad2);
      org.junit.jupiter.api.Assertions.fail("the file must be refused");
    } catch (DaemonConfig.InvalidConfigException e) {
      String all = String.join("\n", e.diagnostics().stream().map(Object::toString).toList());
      assertThat(all).contains("bad2.yaml:4:").contains("must be at least 16 characters")
          .contains("bad2.yaml:5:").contains("is not 64 lower-case hex digits").doesNotContain("short-secret");
    }
  }

  // --- helpers

  private TestRemote append(String path, String text) throws Exception {
    Path p = remote.work().resolve(path);
    Files.writeString(p, Files.readString(p) + text);
    return remote;
  }

  private HttpResponse<String> revert(String token, String actor, String body) throws Exception {
    return post("/api/v1/repos/platform/revert", token, actor, body);
  }

  private HttpResponse<String> post(String path, String token, String actor, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (actor != null) {
      b.header("X-Paved-Actor", actor);
    }
    return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode audit(String token, String query) throws Exception {
    HttpResponse<String> r = get("/api/v1/audit" + query, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return json(r).path("error").asText();
  }
}
