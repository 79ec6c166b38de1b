package dev.paved.server;

import static dev.paved.server.Replies.JSON;
import static dev.paved.server.Replies.REQUEST_ID;
import static dev.paved.server.Replies.error;
import static dev.paved.server.Replies.send;
import static dev.paved.server.Replies.sendBytes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.DaemonFailure;
import dev.paved.secret.Scrubber;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The daemon's HTTP API on Vert.x Web: {@code /healthz}, {@code /readyz}, {@code /metrics},
 * {@code /api/v1/status}, the write endpoints {@code /api/v1/repos/{name}/refresh|revert|accept-head}
 * (bearer token) and the provider webhooks {@code /api/v1/webhooks/{github|gitlab|generic}}
 * (signature or token per repo; {@link WebhookHandler}).
 *
 * <p>Handlers never block the event loop: {@link DaemonApi} methods return at once, and the two
 * CPU-bound renderings (the status JSON, the Prometheus text) run on a worker. Every request
 * gets an id ({@code X-Request-Id}, taken from the request when it is a plain token, else new),
 * is logged in one line at the end, and every error is {@code {"error": "...", "requestId": "..."}}.
 */
public final class ApiServer {

  /** Request bodies larger than this get 413. */
  public static final long BODY_LIMIT_BYTES = 1024 * 1024;

  /** {@code Content-Type} of {@code /metrics}: the Prometheus text format. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.paved.server.access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{4,64}");
  private static final Pattern ACCEPTED_COMMIT = Pattern.compile("[0-9a-fA-F]{7,64}");
  private static final int MAX_REASON = 2000;
  /** Who a call made with the shared API token is, in logs and to the daemon. */
  static final String SHARED_TOKEN_CALLER = "api";

  /** Where to listen and the write endpoints' bearer token (empty: write endpoints refused). */
  public record Options(String host, int port, Optional<String> apiToken) {}

  private final Vertx vertx;
  private final DaemonApi daemon;
  private final Optional<String> apiToken;
  private HttpServer server;

  private ApiServer(Vertx vertx, DaemonApi daemon, Optional<String> apiToken) {
    this.vertx = vertx;
    this.daemon = daemon;
    this.apiToken = apiToken.filter(t -> !t.isBlank());
    this.apiToken.ifPresent(Scrubber::register);
    warmUp();
  }

  /**
   * Builds Jackson's serializers of the replies' maps here, on the caller's thread: the first
   * request would otherwise load and introspect those classes on the event loop.
   */
  private static void warmUp() {
    try {
      JSON.writeValueAsBytes(Map.of("status", "ok"));
      JSON.writeValueAsBytes(new LinkedHashMap<>(Map.of("error", "", REQUEST_ID, "")));
      Scrubber.scrubUtf8(JSON.writeValueAsBytes(Map.of("the scrubber", "loaded here too")));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts listening; the future completes once the port is bound. */
  public static Future<ApiServer> start(Vertx vertx, DaemonApi daemon, Options options) {
    ApiServer api = new ApiServer(vertx, daemon, options.apiToken());
    return vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()))
        .requestHandler(api.router())
        .listen()
        .map(s -> {
          api.server = s;
          return api;
        });
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  /** Stops accepting connections and lets requests under way finish, for at most {@code timeoutMillis}. */
  public Future<Void> shutdown(long timeoutMillis) {
    return server.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  Router router() {
    Router r = Router.router(vertx);
    r.route().handler(this::requestId);
    r.get("/healthz").handler(ctx -> send(ctx, 200, Map.of("status", "ok")));
    r.get("/readyz").handler(this::ready);
    r.get("/metrics").handler(this::metrics);
    r.get("/api/v1/status").handler(this::status);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES);
    r.post("/api/v1/repos/:name/refresh").handler(body).handler(this::authorize).handler(this::refresh);
    r.post("/api/v1/repos/:name/revert").handler(body).handler(this::authorize).handler(this::revert);
    r.post("/api/v1/repos/:name/accept-head").handler(body).handler(this::authorize).handler(this::acceptHead);
    r.post("/api/v1/webhooks/:provider").handler(body).handler(new WebhookHandler(vertx, daemon));
    new PortalHandler(vertx, daemon).mount(r);
    r.route().failureHandler(this::failure);
    for (int code : new int[] {400, 404, 405, 413, 500}) {
      r.errorHandler(code, this::failure);
    }
    return r;
  }

  // --- request id, access log, errors

  private void requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    String id = given != null && SAFE_ID.matcher(given).matches() ? given
        : Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader("X-Request-Id", id);
    long start = System.nanoTime();
    ctx.addEndHandler(done -> {
      MDC.put(REQUEST_ID, id);
      try {
        ACCESS.info("{} {} {} {} {}ms{}", id, ctx.request().method(), ctx.request().path(),
            ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000,
            done.succeeded() ? "" : " (connection closed before the response was sent)");
      } finally {
        MDC.remove(REQUEST_ID);
      }
    });
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int code = ctx.statusCode();
    if (failure instanceof HttpException http) {
      code = http.getStatusCode();
    }
    if (code < 400) {
      code = 500;
    }
    String message = switch (code) {
      case 400 -> "bad request";
      case 401 -> "unauthorized";
      case 404 -> "not found: " + ctx.request().method() + " " + ctx.request().path();
      case 405 -> "method " + ctx.request().method() + " not allowed on " + ctx.request().path();
      case 413 -> "request body larger than " + BODY_LIMIT_BYTES + " bytes";
      default -> "internal error";
    };
    if (code >= 500) {
      LOG.error("request {} failed", (String) ctx.get(REQUEST_ID), failure);
      message = "internal error; the daemon log has the details under request id " + ctx.get(REQUEST_ID);
    }
    error(ctx, code, message);
  }

  // --- read endpoints


  private void ready(RoutingContext ctx) {
    if (daemon.ready()) {
      send(ctx, 200, Map.of("ready", true));
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ready", false);
    body.put("error", "not ready: not every repo has been fetched and evaluated once yet");
    body.put(REQUEST_ID, ctx.get(REQUEST_ID));
    send(ctx, 503, body);
  }

  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(() -> Scrubber.scrub(daemon.metrics().scrape()), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else {
        sendBytes(ctx, 200, PROMETHEUS_TEXT, Buffer.buffer(ar.result()));
      }
    });
  }

  private void status(RoutingContext ctx) {
    vertx.executeBlocking(() -> Scrubber.scrubUtf8(JSON.writeValueAsBytes(daemon.status())), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else {
        sendBytes(ctx, 200, "application/json", Buffer.buffer(ar.result()));
      }
    });
  }

  // --- write endpoints

  private void authorize(RoutingContext ctx) {
    if (apiToken.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "write endpoints are disabled: the daemon has no API token file configured");
      return;
    }
    String given = Webhooks.bearer(ctx.request().getHeader("Authorization"));
    if (!Secrets.equal(given, apiToken.get())) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, given == null ? "missing Authorization: Bearer <token> header" : "wrong bearer token");
      return;
    }
    ctx.put(Replies.CALLER, SHARED_TOKEN_CALLER);
    ctx.next();
  }

  private void refresh(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!Replies.knownRepo(ctx, daemon, name)) {
      return;
    }
    Replies.refresh(daemon, name, ctx.get(REQUEST_ID), "api");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("refresh", List.of(name));
    body.put(REQUEST_ID, ctx.get(REQUEST_ID));
    send(ctx, 202, body);
  }

  private void revert(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!Replies.knownRepo(ctx, daemon, name)) {
      return;
    }
    String usage = "the body must be JSON {\"commit\": \"<commit id>\", \"reason\": \"<why>\"}";
    JsonNode body;
    try {
      Buffer buffer = ctx.body().buffer();
      body = buffer == null ? null : JSON.readTree(buffer.getBytes());
    } catch (JsonProcessingException e) {
      error(ctx, 400, usage + ": " + e.getOriginalMessage());
      return;
    } catch (IOException e) {
      error(ctx, 400, usage);
      return;
    }
    if (body == null || !body.isObject()) {
      error(ctx, 400, usage);
      return;
    }
    String commit = body.path("commit").asText("");
    if (!COMMIT.matcher(commit).matches()) {
      error(ctx, 400, usage + ": \"commit\" must be a commit id (4 to 64 hex digits)");
      return;
    }
    String reason = body.path("reason").asText("").strip();
    if (reason.length() > MAX_REASON) {
      error(ctx, 400, "\"reason\" is longer than " + MAX_REASON + " characters");
      return;
    }
    String actor = Optional.ofNullable(ctx.request().getHeader("X-Paved-Actor"))
        .filter(a -> SAFE_ID.matcher(a).matches() || a.matches("[\\p{L}\\p{N} ._@<>+-]{1,100}"))
        .orElse("api");
    String requestId = ctx.get(REQUEST_ID);
    LOG.info("revert of {} on repo {} requested by {} (request {})", commit, name, actor, requestId);
    Future<DaemonApi.RevertOutcome> outcome;
    try {
      outcome = Future.fromCompletionStage(daemon.revert(name, commit, reason.isEmpty() ? "no reason given" : reason,
          actor), vertx.getOrCreateContext());
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("reverted {} on repo {}: {} on {} (request {})", commit, name, ar.result().revertCommit(),
            ar.result().branch(), requestId);
        send(ctx, 200, ar.result());
      } else {
        daemonFailure(ctx, ar.cause());
      }
    });
  }

  /**
   * {@code POST /api/v1/repos/{name}/accept-head {"commit": "..."}}: the operator accepts a commit
   * that rewrites history (held targets then apply it). Logged with the caller and request id.
   */
  private void acceptHead(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!Replies.knownRepo(ctx, daemon, name)) {
      return;
    }
    String usage = "the body must be JSON {\"commit\": \"<the head or last good commit id, 7 to 64 hex digits>\"}";
    JsonNode body;
    try {
      Buffer buffer = ctx.body().buffer();
      body = buffer == null ? null : JSON.readTree(buffer.getBytes());
    } catch (IOException e) {
      error(ctx, 400, usage);
      return;
    }
    String commit = body != null && body.path("commit").isTextual() ? body.path("commit").asText() : "";
    if (!ACCEPTED_COMMIT.matcher(commit).matches()) {
      error(ctx, 400, usage);
      return;
    }
    String caller = ctx.get(Replies.CALLER);
    String requestId = ctx.get(REQUEST_ID);
    String wanted = commit.toLowerCase(java.util.Locale.ROOT);
    LOG.info("acceptance of commit {} on repo {} requested by {} (request {})", wanted, name, caller, requestId);
    Future<DaemonApi.AcceptOutcome> outcome;
    try {
      outcome = Future.fromCompletionStage(daemon.acceptHead(name, wanted, caller), vertx.getOrCreateContext());
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("commit {} of repo {} accepted by {} (request {}); targets held at it: {}", ar.result().accepted(),
            name, caller, requestId, ar.result().environments());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("repo", ar.result().repo());
        reply.put("accepted", ar.result().accepted());
        reply.put("environments", ar.result().environments());
        reply.put(REQUEST_ID, requestId);
        send(ctx, 200, reply);
      } else {
        daemonFailure(ctx, ar.cause());
      }
    });
  }

  private void daemonFailure(RoutingContext ctx, Throwable e) {
    Throwable cause = Replies.unwrap(e);
    if (cause instanceof DaemonFailure f) {
      int code = switch (f.kind()) {
        case UNKNOWN_REPO, UNKNOWN_COMMIT -> 404;
        case CONFLICT -> 409;
        case INVALID -> 400;
        case UNAVAILABLE -> 503;
      };
      LOG.warn("request {} refused ({}): {}", (String) ctx.get(REQUEST_ID), f.kind(), f.getMessage());
      error(ctx, code, f.getMessage());
    } else {
      ctx.fail(500, cause);
    }
  }

}
