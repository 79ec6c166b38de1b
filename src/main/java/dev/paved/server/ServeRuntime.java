package dev.paved.server;

import dev.paved.reconcile.DaemonApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code paved serve}: Vert.x (with its blocked-thread checker and Micrometer metrics
 * in the daemon's registry, next to the JVM's and the process's: {@link JvmMetrics}) and the
 * {@link ApiServer}. Only HTTP: the daemon polls its repos and
 * resyncs on its own scheduler.
 *
 * <p>{@link #close()}: stop accepting requests (those under way may finish),
 * close the daemon (its bounded drain), close Vert.x. Idempotent; concurrent callers wait for the
 * first.
 */
public final class ServeRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServeRuntime.class);

  /** What to run: the API (where it listens, its tokens, audit log, TLS), and how long closing may take in total. */
  public record Settings(ApiServer.Options api, Duration shutdownTimeout) {
    /** One token with every permission ({@code http.tokenFile}), no TLS, the audit log in memory. */
    public Settings(String host, int port, Optional<String> apiToken, Duration shutdownTimeout) {
      this(new ApiServer.Options(host, port, apiToken), shutdownTimeout);
    }
  }

  private final Vertx vertx;
  private final ApiServer api;
  private final AutoCloseable daemonClose;
  private final AutoCloseable jvmMetrics;
  private final Duration shutdownTimeout;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private ServeRuntime(Vertx vertx, ApiServer api, AutoCloseable daemonClose, AutoCloseable jvmMetrics,
      Duration shutdownTimeout) {
    this.vertx = vertx;
    this.api = api;
    this.daemonClose = daemonClose;
    this.jvmMetrics = jvmMetrics;
    this.shutdownTimeout = shutdownTimeout;
  }

  /**
   * Vert.x options for the daemon: the blocked-thread checker every second, warning when an event
   * loop task runs over 2 s (a worker task over 60 s).
   */
  public static VertxOptions defaultOptions() {
    return new VertxOptions()
        .setBlockedThreadCheckInterval(1000)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(2000)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setMaxWorkerExecuteTime(60)
        .setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS);
  }

  /**
   * A Vert.x whose own metrics (HTTP server requests by method, code and route; worker pools) go
   * to {@code registry} under {@code vertx_*}, next to the daemon's.
   */
  public static Vertx vertx(VertxOptions options, MeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .addLabels(Label.HTTP_ROUTE)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /**
   * Starts Vert.x and the API server; returns once the port is bound. Called from a plain thread
   * (it waits). On failure everything started is closed again (not the daemon).
   *
   * @param daemonClose closes the daemon with its bounded drain (called from {@link #close()})
   */
  public static ServeRuntime start(DaemonApi daemon, AutoCloseable daemonClose, Settings settings,
      VertxOptions options) throws Exception {
    Vertx vertx = vertx(options, daemon.metrics());
    ApiServer api;
    try {
      api = ApiServer.start(vertx, daemon, settings.api())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw e;
    }
    ServeRuntime runtime = new ServeRuntime(vertx, api, daemonClose, JvmMetrics.bindTo(daemon.metrics()),
        settings.shutdownTimeout());
    LOG.info("API listening on {}://{}:{}", settings.api().tls().isPresent() ? "https" : "http", settings.api().host(),
        api.port());
    return runtime;
  }

  /** The API's bound port. */
  public int port() {
    return api.port();
  }

  /** The Vert.x instance (for tests and for wiring more edges). */
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("ServeRuntime.close() waits; call it from a plain thread");
    }
    if (!closing.compareAndSet(false, true)) {
      closed.orTimeout(shutdownTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
      return;
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    try {
      LOG.info("shutting down: stopping the API (requests under way may finish)");
      await(api.shutdown(Math.max(1, remaining(deadline) / 4)).toCompletionStage().toCompletableFuture(),
          remaining(deadline) / 3, "the API server");
      LOG.info("shutting down: closing the daemon");
      try {
        daemonClose.close();
      } catch (Exception e) {
        LOG.warn("closing the daemon failed: {}", e.toString());
      }
      try {
        jvmMetrics.close();
      } catch (Exception e) {
        LOG.debug("closing the JVM metrics failed: {}", e.toString());
      }
      LOG.info("shutting down: closing Vert.x");
      await(vertx.close().toCompletionStage().toCompletableFuture(), Math.max(1000, remaining(deadline)), "Vert.x");
      LOG.info("shut down");
    } finally {
      closed.complete(null);
    }
  }

  private static long remaining(long deadline) {
    return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
  }

  private static void await(CompletableFuture<?> f, long millis, String what) {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("closing {} did not finish cleanly: {}", what, e.toString());
    }
  }
}
