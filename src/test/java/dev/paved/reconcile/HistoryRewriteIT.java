package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.apply.InventoryStore;
import dev.paved.reconcile.DaemonStatus.SyncState;
import dev.paved.server.ApiServer;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * History rewrites are held (issue 12 item 1), end to end on the real apiserver and real git: a
 * force-push to an older commit leaves the cluster at the newer state and the target HELD with
 * its reason, until an operator accepts the commit through the API (then it is applied), or the
 * repo allows rewrites; after a restart on an empty state dir the anchor is the commit the
 * in-cluster inventory records.
 */
@RealCluster
class HistoryRewriteIT {

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

  private final java.util.List<DaemonEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Daemon start(DaemonIT.Remote remote, String state, boolean allowRewrite) {
    DaemonConfig.Repo repo = DaemonConfig.repo("platform", remote.url(), "main").withAllowHistoryRewrite(allowRewrite);
    DaemonConfig config = DaemonConfig.of(dir.resolve(state), repo).withDefaults(new DaemonConfig.Defaults("main",
        Duration.ofHours(1), 8, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2))));
    daemon = Daemon.create(remote.reaching(config), Daemon.Options.defaults().withHealthInterval(Duration.ofSeconds(1))
        .withEvents(events::add));
    return daemon.start();
  }

  /** The branch is force-pushed back to {@code commit} (the work tree follows: later commits build on it). */
  private static void forcePushTo(DaemonIT.Remote remote, String commit) throws Exception {
    remote.work.reset().setMode(ResetCommand.ResetType.HARD).setRef(commit).call();
    remote.work.push().setRemote(remote.url()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
        .setForce(true).call();
  }

  private static DaemonStatus.Target target(Daemon d, String environment) {
    return d.status().targets().stream().filter(t -> t.environment().equals(environment)).findFirst().orElse(null);
  }

  private static boolean appliedAt(Daemon d, String environment, String commit) {
    DaemonStatus.Target t = target(d, environment);
    return t != null && t.appliedCommit().equals(Optional.of(commit)) && t.sync() == SyncState.SYNCED;
  }

  private static boolean held(Daemon d, String environment) {
    DaemonStatus.Target t = target(d, environment);
    return t != null && t.sync() == SyncState.HELD && t.hold().isPresent();
  }

  /** resourceVersion of every object of the namespace Paved manages, and of the target's inventory index. */
  private static Map<String, String> written(KubernetesClient client, String environment) {
    Map<String, String> out = new TreeMap<>();
    List<? extends HasMetadata> all = Stream.of(client.apps().deployments().list().getItems(),
        client.services().list().getItems(), client.serviceAccounts().list().getItems())
        .flatMap(List::stream).filter(o -> o.getMetadata().getLabels() != null
            && "paved".equals(o.getMetadata().getLabels().get("app.kubernetes.io/managed-by"))).toList();
    all.forEach(o -> out.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    var index = client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(InventoryStore.name("platform",
        environment)).get();
    out.put("inventory", index == null ? "none" : index.getMetadata().getResourceVersion());
    return out;
  }

  private static String image(KubernetesClient client, String name) {
    var d = client.apps().deployments().withName(name).get();
    return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private double rewrites(String environment, String outcome) {
    var c = daemon.metrics().find("paved.history.rewrites").tags("repo", "platform", "environment", environment,
        "outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static String shortId(String commit) {
    return commit.substring(0, 12);
  }

  private int serve(Daemon d, String token) throws Exception {
    vertx = Vertx.vertx();
    return ApiServer.start(vertx, d, new ApiServer.Options("127.0.0.1", 0, Optional.of(token)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).port();
  }

  private HttpResponse<String> accept(int port, String commit, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/v1/repos/platform/accept-head")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"commit\": \"" + commit + "\"}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aForcePushToAnOlderCommitIsHeldWithNothingWrittenUntilAnOperatorAcceptsItThroughTheApi(
      KubernetesClient client, ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    String env = p.environment;
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger targetLog = (Logger) LoggerFactory.getLogger(TargetReporter.class);
    log.start();
    targetLog.addAppender(log);
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      String c2 = remote.commit(p.service("checkout", "1.1.0").service("payments", "2.0.0"),
          "checkout 1.1.0, payments");
      Daemon d = start(remote, "state", false);
      await(SYNC, "c2 applied", () -> appliedAt(d, env, c2));
      int port = serve(d, "api-token");
      Map<String, String> newer = written(client, env);
      assertThat(newer).containsKeys("Deployment/checkout", "Deployment/payments");

      // The attack: the branch goes back to c1, which would roll checkout back and prune payments.
      forcePushTo(remote, c1);
      d.refresh("platform").toCompletableFuture().get();
      assertThat(d.status().repos().get(0).headCommit()).as("the mirror keeps fetching").contains(c1);
      await(SYNC, "the target is held", () -> held(d, env));
      String reason = "history rewritten: " + shortId(c2) + " is not an ancestor of " + shortId(c1);
      DaemonStatus.Target t = target(d, env);
      assertThat(t.hold()).hasValueSatisfying(h -> {
        assertThat(h.reason()).isEqualTo("HISTORY_REWRITTEN");
        assertThat(h.commit()).isEqualTo(c1);
        assertThat(h.appliedCommit()).contains(c2);
        assertThat(h.message()).isEqualTo(reason);
      });
      assertThat(t.lastError()).contains(reason);
      assertThat(t.appliedCommit()).as("the cluster keeps the newer state").contains(c2);
      assertThat(d.status().services()).filteredOn(s -> s.environment().equals(env))
          .extracting(DaemonStatus.ServiceInEnvironment::sync).containsOnly(SyncState.HELD);
      assertThat(written(client, env)).as("nothing written: objects nor inventory").isEqualTo(newer);
      assertThat(image(client, "checkout")).endsWith(":1.1.0");
      assertThat(new InventoryStore(client, "paved", "platform").commit(env, Map.of())).contains(c2);
      assertThat(rewrites(env, "held")).isEqualTo(1);
      assertThat(d.metrics().scrape()).contains("paved_history_rewrites_total{environment=\"" + env
          + "\",outcome=\"held\",repo=\"platform\"} 1.0");
      assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("platform/" + env)
          .contains("nothing applied").contains(reason).contains("accept-head"));
      assertThat(events).filteredOn(e -> e.type() == DaemonEvent.Type.COMMIT_HELD).singleElement().satisfies(e -> {
        assertThat(e.environment()).isEqualTo(env);
        assertThat(e.commit()).isEqualTo(c1);
        assertThat(e.message()).isEqualTo(reason);
        assertThat(e.details()).singleElement().asString().contains("accept-head");
      });

      // A resync asks again: still held, nothing written, the rewrite not counted twice.
      long runs = reconciles(d, env);
      d.resync();
      await(SYNC, "the resync ran", () -> reconciles(d, env) > runs);
      assertThat(held(d, env)).isTrue();
      assertThat(written(client, env)).isEqualTo(newer);
      assertThat(rewrites(env, "held")).isEqualTo(1);
      assertThat(events).as("told once").filteredOn(e -> e.type() == DaemonEvent.Type.COMMIT_HELD).hasSize(1);

      // Acceptance needs the token, and the commit the operator saw.
      assertThat(accept(port, c1, null).statusCode()).isEqualTo(401);
      assertThat(accept(port, c1, "Bearer wrong").statusCode()).isEqualTo(401);
      HttpResponse<String> other = accept(port, c2, "Bearer api-token");
      assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
      assertThat(JSON.readTree(other.body()).path("error").asText()).contains("nothing accepted");
      assertThat(held(d, env)).isTrue();
      assertThat(written(client, env)).isEqualTo(newer);

      HttpResponse<String> ok = accept(port, shortId(c1), "Bearer api-token");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(ok.body());
      assertThat(body.path("accepted").asText()).isEqualTo(c1);
      assertThat(body.path("environments").get(0).asText()).isEqualTo(env);
      await(SYNC, "the accepted commit is applied", () -> appliedAt(d, env, c1));
      assertThat(image(client, "checkout")).endsWith(":1.0.0");
      assertThat(client.apps().deployments().withName("payments").get()).isNull();
      assertThat(target(d, env).hold()).isEmpty();

      // The new line goes on as usual: the next commit descends from the accepted one.
      String c3 = remote.commit(p.service("checkout", "1.2.0").remove("payments"), "checkout 1.2.0");
      d.refresh("platform").toCompletableFuture().get();
      await(SYNC, "the next commit is applied", () -> appliedAt(d, env, c3));
      assertThat(image(client, "checkout")).endsWith(":1.2.0");
      assertThat(rewrites(env, "held")).isEqualTo(1);
    } finally {
      targetLog.detachAppender(log);
    }
  }

  private static long reconciles(Daemon d, String environment) {
    var t = d.metrics().find("paved.reconcile.duration").tags("repo", "platform", "environment", environment).timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void aRepoThatAllowsRewritesAppliesThemAndCountsThem(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    String env = p.environment;
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      String c2 = remote.commit(p.service("checkout", "1.1.0"), "checkout 1.1.0");
      Daemon d = start(remote, "state", true);
      await(SYNC, "c2 applied", () -> appliedAt(d, env, c2));

      forcePushTo(remote, c1);
      d.refresh("platform").toCompletableFuture().get();
      await(SYNC, "the older commit is applied (allowHistoryRewrite: true)", () -> appliedAt(d, env, c1));
      assertThat(image(client, "checkout")).endsWith(":1.0.0");
      assertThat(rewrites(env, "allowed")).isEqualTo(1);
      assertThat(rewrites(env, "held")).isZero();
    }
  }

  @Test
  void aCommitPavedApplyRecordedIsNoAnchorOfTheBranch(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    String env = p.environment;
    // paved apply from a checkout records that checkout's commit, unknown to the branch the daemon follows.
    String elsewhere = "e".repeat(40);
    try (LivePlatform.Engine cli = LivePlatform.engine(client, "platform")) {
      assertThat(cli.sync(p, elsewhere).synced()).isTrue();
    }
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p.service("checkout", "1.1.0"), "checkout 1.1.0");
      Daemon d = start(remote, "state", false);
      await(SYNC, "the daemon takes the environment over", () -> appliedAt(d, env, c1));
      assertThat(image(client, "checkout")).endsWith(":1.1.0");
      assertThat(rewrites(env, "held")).isZero();
    }
  }

  @Test
  void afterARestartOnAnEmptyStateDirTheAnchorIsTheCommitTheInventoryRecords(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    String env = p.environment;
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      String c2 = remote.commit(p.service("checkout", "1.1.0").service("payments", "2.0.0"),
          "checkout 1.1.0, payments");
      Daemon first = start(remote, "state-1", false);
      await(SYNC, "c2 applied", () -> appliedAt(first, env, c2));
      first.close();
      Map<String, String> newer = written(client, env);

      // Rewritten while no daemon runs; the next one starts on a new disk: no mirror, no memory.
      forcePushTo(remote, c1);
      Daemon second = start(remote, "state-2", false);
      await(SYNC, "the target is held from the inventory's commit", () -> held(second, env));
      assertThat(target(second, env).hold()).hasValueSatisfying(h -> {
        assertThat(h.message()).isEqualTo("history rewritten: " + shortId(c2) + " is not an ancestor of "
            + shortId(c1));
        assertThat(h.appliedCommit()).contains(c2);
      });
      assertThat(written(client, env)).as("nothing written").isEqualTo(newer);
      assertThat(image(client, "checkout")).endsWith(":1.1.0");
      assertThat(client.apps().deployments().withName("payments").get()).isNotNull();
    }
  }
}
