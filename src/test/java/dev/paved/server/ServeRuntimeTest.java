package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.testing.Await;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code paved serve}'s runtime: timers drive refreshes and resyncs; close stops everything in order. */
class ServeRuntimeTest {

  @Test
  void timersRefreshEveryRepoAtOnceThenPeriodicallyAndCloseStopsEverything() throws Exception {
    try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
      FakeDaemon daemon = new FakeDaemon();
      AtomicInteger resyncs = new AtomicInteger();
      ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", 0, Optional.of("t"),
          Map.of("platform", Duration.ofMillis(50), "no-secret", Duration.ofHours(1)), true,
          Optional.of(Duration.ofMillis(50)), Duration.ofSeconds(10));
      ServeRuntime runtime = ServeRuntime.start(daemon, daemon, Optional.of(resyncs::incrementAndGet), settings,
          BlockedThreadWarnings.strictOptions());
      try {
        Await.await(Duration.ofSeconds(10), "the first refresh of every repo",
            () -> daemon.refreshes.contains("platform") && daemon.refreshes.contains("no-secret"));
        Await.await(Duration.ofSeconds(10), "periodic polls and resyncs",
            () -> Collections.frequency(daemon.refreshes, "platform") >= 3 && resyncs.get() >= 2);
        assertThat(Collections.frequency(daemon.refreshes, "no-secret")).isEqualTo(1);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI healthz = URI.create("http://127.0.0.1:" + runtime.port() + "/healthz");
        assertThat(http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode()).isEqualTo(200);

        runtime.close();
        assertThat(daemon.closes.get()).isEqualTo(1);
        int polls = daemon.refreshes.size();
        int resynced = resyncs.get();
        Thread.sleep(300); // several poll intervals: nothing may happen any more
        assertThat(daemon.refreshes).hasSize(polls);
        assertThat(resyncs.get()).isEqualTo(resynced);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        runtime.close();
        assertThat(daemon.closes.get()).as("close is idempotent").isEqualTo(1);
      } finally {
        runtime.close();
      }
      assertThat(blocked.warnings()).isEmpty();
    }
  }

  @Test
  void metricsCarryTheJvmsAndTheProcesssMeters() throws Exception {
    FakeDaemon daemon = new FakeDaemon();
    ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", 0, Optional.empty(), Map.of(), true,
        Optional.empty(), Duration.ofSeconds(10));
    ServeRuntime runtime = ServeRuntime.start(daemon, daemon, Optional.empty(), settings,
        ServeRuntime.defaultOptions());
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port()
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_", "jvm_threads_live_threads",
          "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpu_count", "process_uptime_seconds",
          "process_files_open_files");
    } finally {
      runtime.close();
    }
  }

  @Test
  void aPortInUseFailsTheStartAndLeavesNothingRunning() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      FakeDaemon daemon = new FakeDaemon();
      ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", taken.getLocalPort(), Optional.empty(),
          Map.of("platform", Duration.ofMillis(50)), true, Optional.empty(), Duration.ofSeconds(5));
      assertThatThrownBy(() -> ServeRuntime.start(daemon, daemon, Optional.empty(), settings,
          BlockedThreadWarnings.strictOptions())).hasRootCauseInstanceOf(java.net.BindException.class);
      Thread.sleep(200);
      assertThat(daemon.refreshes).isEmpty();
    }
  }
}
