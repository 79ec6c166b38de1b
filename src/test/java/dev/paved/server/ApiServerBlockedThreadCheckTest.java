package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.testing.Await;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The check {@link ApiServerTest} relies on: a handler that blocks the event loop makes Vert.x
 * log a blocked-thread warning that {@link BlockedThreadWarnings} sees. Without this, an empty
 * list of warnings would prove nothing.
 */
class ApiServerBlockedThreadCheckTest {

  @Test
  void aBlockedEventLoopIsSeen() throws Exception {
    try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
      Vertx vertx = ServeRuntime.vertx(BlockedThreadWarnings.strictOptions(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      try {
        vertx.runOnContext(v -> {
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
        });
        Await.await(Duration.ofSeconds(10), "a blocked-thread warning", () -> !blocked.warnings().isEmpty());
        assertThat(blocked.warnings().get(0)).contains("vert.x-eventloop-thread").contains("has been blocked");
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
