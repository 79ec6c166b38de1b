package dev.paved.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.paved.reconcile.DaemonConfig;
import dev.paved.reconcile.DaemonEvent;
import dev.paved.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifications delivered to a real HTTP receiver on loopback. */
class NotifierTest {

  /** One received request. */
  record Received(String path, Map<String, String> headers, String body) {}

  @TempDir
  Path dir;
  HttpServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  final CountDownLatch release = new CountDownLatch(1);
  Notifier notifier;
  PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (path.startsWith("/hang")) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      AtomicInteger left = failuresLeft.get(path);
      int code = left != null && left.getAndDecrement() > 0 ? 503 : 200;
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
      if (code == 200) {
        received.add(new Received(path, headers, body));
      }
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    receiver.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (notifier != null) {
      notifier.close();
    }
    receiver.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort();
  }

  private NotificationConfig config(String yaml) throws Exception {
    Path file = dir.resolve("paved.yaml");
    Files.writeString(file, "apiVersion: paved.dev/v1alpha1\nkind: DaemonConfig\nrepos:\n"
        + "  - {name: platform, url: https://git.example.com/acme/platform.git}\n" + yaml);
    DaemonConfig.load(file); // the schema accepts it
    return NotificationConfig.load(file);
  }

  private Notifier start(NotificationConfig c) {
    notifier = new Notifier(c, registry, new Notifier.Retry(Duration.ofMillis(10), Duration.ofMillis(50), 3),
        Clock.systemUTC());
    return notifier;
  }

  private static DaemonEvent event(DaemonEvent.Type type, String env, String service, String message) {
    return new DaemonEvent(type, DaemonEvent.Severity.ERROR, "platform", env, service, "storefront",
        "3f1c2a9e5b7d0c1e2f3a4b5c6d7e8f9a0b1c2d3e", message,
        List.of("services/web/service.yaml:4:3: error: unknown field \"replica\""), Instant.parse("2026-12-02T10:00:00Z"));
  }

  @Test
  void webhookIsSignedWithHmacAndCarriesTheEvent() throws Exception {
    Files.writeString(dir.resolve("hmac"), "s3cr3t-hmac-key\n");
    start(config("notifications:\n  dashboardUrl: https://paved.example.com\n  sinks:\n"
        + "    - {name: audit, type: webhook, url: " + base() + "/hook, secretFile: hmac}\n"
        + "  alerts:\n    - {sinks: [audit]}\n"));
    notifier.on(event(DaemonEvent.Type.SYNC_FAILED, "prod", null, "cluster unreachable"));
    Await.await(Duration.ofSeconds(10), "delivery", () -> received.size() == 1);
    Received r = received.get(0);
    assertThat(r.headers().get("X-Paved-Signature-256"))
        .isEqualTo(Payloads.signature("s3cr3t-hmac-key".getBytes(StandardCharsets.UTF_8),
            r.body().getBytes(StandardCharsets.UTF_8)));
    assertThat(r.headers().get("X-Paved-Event")).isEqualTo("syncFailed");
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.path("event").asText()).isEqualTo("syncFailed");
    assertThat(body.path("environment").asText()).isEqualTo("prod");
    assertThat(body.path("url").asText()).isEqualTo("https://paved.example.com/#/environments/prod");
    assertThat(body.path("summary").asText()).startsWith("[ERROR] sync failed: platform/prod at 3f1c2a9e5b7d");
    assertThat(r.body()).doesNotContain("s3cr3t");
  }

  @Test
  void slackMessageIsReadableAndLinksToTheServicePage() throws Exception {
    Files.writeString(dir.resolve("slack-url"), base() + "/services/T000/B000/XXXX\n");
    start(config("notifications:\n  dashboardUrl: https://paved.example.com/\n  sinks:\n"
        + "    - {name: chat, type: slack, urlFile: slack-url}\n  alerts:\n    - {sinks: [chat]}\n"));
    notifier.on(event(DaemonEvent.Type.COMMIT_REFUSED, null, "web", "does not validate"));
    Await.await(Duration.ofSeconds(10), "delivery", () -> received.size() == 1);
    JsonNode body = new ObjectMapper().readTree(received.get(0).body());
    assertThat(received.get(0).path()).isEqualTo("/services/T000/B000/XXXX");
    assertThat(body.path("text").asText()).isEqualTo(
        "[ERROR] commit refused: platform service web at 3f1c2a9e5b7d: does not validate");
    assertThat(body.at("/blocks/0/text/text").asText())
        .contains("services/web/service.yaml:4:3: error: unknown field \"replica\"")
        .contains("<https://paved.example.com/#/services/web|Open in the Paved dashboard>");
  }

  @Test
  void cloudEventsInStructuredMode() throws Exception {
    start(config("notifications:\n  sinks:\n    - {name: bus, type: cloudevents, url: " + base() + "/ce}\n"
        + "  alerts:\n    - {sinks: [bus], events: [healthDegraded]}\n"));
    notifier.on(event(DaemonEvent.Type.HEALTH_DEGRADED, "prod", "web", "Deployment web: 0/2 available"));
    Await.await(Duration.ofSeconds(10), "delivery", () -> received.size() == 1);
    assertThat(received.get(0).headers().get("Content-Type")).isEqualTo("application/cloudevents+json");
    JsonNode ce = new ObjectMapper().readTree(received.get(0).body());
    assertThat(ce.path("specversion").asText()).isEqualTo("1.0");
    assertThat(ce.path("type").asText()).isEqualTo("dev.paved.healthDegraded");
    assertThat(ce.path("source").asText()).isEqualTo("paved/platform");
    assertThat(ce.path("subject").asText()).isEqualTo("prod/web");
    assertThat(ce.path("id").asText()).isNotBlank();
    assertThat(ce.at("/data/message").asText()).isEqualTo("Deployment web: 0/2 available");
  }

  @Test
  void alertsFilterByEventEnvironmentAndTeam() throws Exception {
    start(config("notifications:\n  sinks:\n    - {name: prod-only, type: webhook, url: " + base() + "/prod}\n"
        + "    - {name: payments, type: webhook, url: " + base() + "/payments}\n"
        + "  alerts:\n    - {sinks: [prod-only], environments: [prod], events: [syncFailed, healthDegraded]}\n"
        + "    - {sinks: [payments], teams: [payments]}\n"));
    notifier.on(event(DaemonEvent.Type.SYNC_FAILED, "dev", null, "a"));          // wrong environment
    notifier.on(event(DaemonEvent.Type.COMMIT_APPLIED, "prod", null, "b"));      // wrong event
    notifier.on(event(DaemonEvent.Type.HEALTH_DEGRADED, "prod", "web", "c"));    // matches prod-only
    Await.await(Duration.ofSeconds(10), "delivery", () -> received.size() == 1);
    assertThat(received.get(0).path()).isEqualTo("/prod");
    assertThat(received.get(0).body()).contains("\"message\":\"c\"");
    assertThat(notifier.status()).filteredOn(s -> s.name().equals("payments"))
        .singleElement().satisfies(s -> assertThat(s.delivered()).isZero());
  }

  @Test
  void failedDeliveriesAreRetriedAndDuplicatesSentOnce() throws Exception {
    failuresLeft.put("/flaky", new AtomicInteger(2));
    start(config("notifications:\n  sinks:\n    - {name: flaky, type: webhook, url: " + base() + "/flaky}\n"
        + "  alerts:\n    - {sinks: [flaky]}\n"));
    DaemonEvent e = event(DaemonEvent.Type.DRIFT_DETECTED, "prod", "web", "Deployment web: spec.replicas");
    notifier.on(e);
    notifier.on(e);
    Await.await(Duration.ofSeconds(10), "delivery", () -> notifier.status().get(0).delivered() == 1);
    Notifier.SinkStatus s = notifier.status().get(0);
    assertThat(received).hasSize(1);
    assertThat(s.deduplicated()).isEqualTo(1);
    assertThat(s.failed()).isZero();
    assertThat(registry.scrape()).contains("paved_notifications_total{outcome=\"deduplicated\",sink=\"flaky\"} 1.0");
  }

  @Test
  void aSinkThatNeverAnswersNeitherBlocksTheCallerNorOtherSinks() throws Exception {
    start(config("notifications:\n  sinks:\n    - {name: stuck, type: webhook, url: " + base() + "/hang}\n"
        + "    - {name: fine, type: webhook, url: " + base() + "/fine}\n"
        + "  alerts:\n    - {sinks: [stuck, fine]}\n"));
    for (int i = 0; i < Notifier.QUEUE + 50; i++) {
      notifier.on(event(DaemonEvent.Type.DRIFT_DETECTED, "prod", "svc" + i, "m")); // returns at once
    }
    // the other sink delivers (within its rate limit of 60 per minute) while "stuck" hangs
    Await.await(Duration.ofSeconds(20), "delivery", () -> received.stream().filter(r -> r.path().equals("/fine")).count() == 60);
    Notifier.SinkStatus stuck = notifier.status().stream().filter(s -> s.name().equals("stuck")).findFirst().get();
    assertThat(stuck.delivered()).isZero();
    assertThat(stuck.rateLimited()).isEqualTo(Notifier.QUEUE + 50 - 60);
  }

  @Test
  void aFailingSinkShowsInStatusWithoutItsUrl() throws Exception {
    Files.writeString(dir.resolve("slack-url"), "http://127.0.0.1:1/services/SECRET-TOKEN-123\n");
    start(config("notifications:\n  sinks:\n    - {name: dead, type: slack, urlFile: slack-url}\n"
        + "  alerts:\n    - {sinks: [dead]}\n"));
    notifier.on(event(DaemonEvent.Type.SYNC_FAILED, "prod", null, "x"));
    Await.await(Duration.ofSeconds(10), "delivery", () -> notifier.status().get(0).failed() == 1);
    Notifier.SinkStatus s = notifier.status().get(0);
    assertThat(s.lastError()).isEqualTo("connection refused or unreachable after retries");
    assertThat(s.toString()).doesNotContain("SECRET-TOKEN-123");
    assertThat(registry.scrape()).doesNotContain("SECRET-TOKEN-123")
        .contains("paved_notifications_total{outcome=\"failed\",sink=\"dead\"} 1.0");
  }

  @Test
  void configErrorsPointAtTheLine() throws Exception {
    Path file = dir.resolve("paved.yaml");
    Files.writeString(file, "apiVersion: paved.dev/v1alpha1\nkind: DaemonConfig\nrepos:\n"
        + "  - {name: platform, url: https://git.example.com/acme/platform.git}\n"
        + "notifications:\n  sinks:\n    - {name: a, type: webhook, url: 'https://user:pw@hooks.example.com/x'}\n"
        + "  alerts:\n    - {sinks: [b]}\n");
    DaemonConfig.load(file);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NotificationConfig.load(file))
        .isInstanceOf(DaemonConfig.InvalidConfigException.class)
        .hasMessageContaining("paved.yaml:7:")
        .hasMessageContaining("the URL holds credentials; remove them and name a file instead")
        .hasMessageContaining("paved.yaml:9:")
        .hasMessageContaining("no sink is named \"b\"; declare it under notifications.sinks (sinks: a)")
        .hasMessageNotContaining("pw@");
  }
}
