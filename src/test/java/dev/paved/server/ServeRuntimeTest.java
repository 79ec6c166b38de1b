package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code paved serve}'s runtime: only HTTP (the daemon polls itself); close stops everything in order. */
class ServeRuntimeTest {

  @Test
  void servesTheApiAndCloseStopsItThenClosesTheDaemonOnce() throws Exception {
    try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
      FakeDaemon daemon = new FakeDaemon();
      ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", 0, Optional.of("t"),
          Duration.ofSeconds(10));
      ServeRuntime runtime = ServeRuntime.start(daemon, daemon, settings, BlockedThreadWarnings.strictOptions());
      try {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI healthz = URI.create("http://127.0.0.1:" + runtime.port() + "/healthz");
        assertThat(http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode()).isEqualTo(200);
        assertThat(daemon.refreshes).as("serve drives no refresh of its own").isEmpty();

        runtime.close();
        assertThat(daemon.closes.get()).isEqualTo(1);
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
    ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", 0, Optional.empty(),
        Duration.ofSeconds(10));
    ServeRuntime runtime = ServeRuntime.start(daemon, daemon, settings, ServeRuntime.defaultOptions());
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
  void aPortInUseFailsTheStartAndLeavesTheDaemonToItsOwner() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      FakeDaemon daemon = new FakeDaemon();
      ServeRuntime.Settings settings = new ServeRuntime.Settings("127.0.0.1", taken.getLocalPort(), Optional.empty(),
          Duration.ofSeconds(5));
      assertThatThrownBy(() -> ServeRuntime.start(daemon, daemon, settings, BlockedThreadWarnings.strictOptions()))
          .hasRootCauseInstanceOf(java.net.BindException.class);
      assertThat(daemon.closes.get()).as("the caller closes the daemon it started").isZero();
    }
  }
}
