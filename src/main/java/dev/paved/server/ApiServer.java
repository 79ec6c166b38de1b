package dev.paved.server;

import static dev.paved.server.Replies.JSON;
import static dev.paved.server.Replies.REQUEST_ID;
import static dev.paved.server.Replies.error;
import static dev.paved.server.Replies.send;
import static dev.paved.server.Replies.sendBytes;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.paved.reconcile.DaemonApi;
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
import java.nio.file.Path;
import java.time.Duration;
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
 * The daemon's HTTP API on Vert.x Web: {@code /healthz}, {@code /readyz}, {@code /metrics}, the
 * read endpoints ({@code /api/v1/status}, the dashboard's, {@code /api/v1/audit}: a token with
 * the read permission unless {@code publicRead}), the write endpoints
 * {@code /api/v1/repos/{name}/refresh|revert|accept-head} (named tokens with permissions, audited;
 * {@link WriteEndpoints}, {@link Access}) and the provider webhooks
 * {@code /api/v1/webhooks/{github|gitlab|generic}} (signature or token per repo;
 * {@link WebhookHandler}). Over TLS when a certificate is given, reloaded when its files change.
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

  /** How often the TLS files and the tokens file are checked for a change, unless the options say otherwise. */
  public static final Duration DEFAULT_TLS_RELOAD = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.paved.server.access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /** The API's certificate and key (PEM files), checked for a change every {@code reloadInterval}. */
  public record Tls(Path certFile, Path keyFile, Duration reloadInterval) {
    public Tls(Path certFile, Path keyFile) {
      this(certFile, keyFile, DEFAULT_TLS_RELOAD);
    }
  }

  /** The tokens file ({@code http.tokensFile}), checked for a change every {@code reloadInterval}. */
  public record TokensFile(Path file, Duration reloadInterval) {
    public TokensFile(Path file) {
      this(file, DEFAULT_TLS_RELOAD);
    }
  }

  /**
   * Where to listen; the API's tokens (none: every endpoint needing one answers 401), or the
   * tokens file they are read from (then read at start and again when it changes); whether the
   * read endpoints need no token; where the audit log is kept (empty: in memory only); TLS.
   */
  public record Options(String host, int port, ApiTokens tokens, boolean publicRead, Optional<Path> auditDir,
      Optional<Tls> tls, Optional<TokensFile> tokensFile) {

    public Options(String host, int port, ApiTokens tokens, boolean publicRead, Optional<Path> auditDir,
        Optional<Tls> tls) {
      this(host, port, tokens, publicRead, auditDir, tls, Optional.empty());
    }

    /** One token ({@code http.tokenFile}), named {@code default} with every permission; no TLS, audit in memory. */
    public Options(String host, int port, Optional<String> apiToken) {
      this(host, port, apiToken.filter(t -> !t.isBlank()).map(ApiTokens::single).orElse(ApiTokens.none()), false,
          Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Options withTokens(ApiTokens t) {
      return new Options(host, port, t, publicRead, auditDir, tls, tokensFile);
    }

    /** Tokens from this file, read at start (a problem fails the start) and again whenever it changes. */
    public Options withTokensFile(TokensFile f) {
      return new Options(host, port, tokens, publicRead, auditDir, tls, Optional.ofNullable(f));
    }

    public Options withPublicRead(boolean p) {
      return new Options(host, port, tokens, p, auditDir, tls, tokensFile);
    }

    public Options withAuditDir(Path dir) {
      return new Options(host, port, tokens, publicRead, Optional.of(dir), tls, tokensFile);
    }

    public Options withTls(Tls t) {
      return new Options(host, port, tokens, publicRead, auditDir, Optional.ofNullable(t), tokensFile);
    }
  }

  private final Vertx vertx;
  private final DaemonApi daemon;
  private final Access access;
  private final AuditLog audit;
  private final Optional<WatchedFiles<TlsFiles.Pair>> tls;
  private final Optional<WatchedFiles<ApiTokens>> tokensFile;
  private final WebhookHandler webhooks;
  private volatile ApiTokens tokens;
  private HttpServer server;

  private ApiServer(Vertx vertx, DaemonApi daemon, Options options, AuditLog audit) {
    this.vertx = vertx;
    this.daemon = daemon;
    this.audit = audit;
    this.tokens = options.tokens();
    this.access = new Access(() -> tokens, options.publicRead(), audit);
    this.tls = options.tls().map(t -> new WatchedFiles<TlsFiles.Pair>(vertx, "tls", "the TLS certificate or key (http.tls)",
        List.of(t.certFile(), t.keyFile()),
        t.reloadInterval(), TlsFiles::of, pair -> server.updateSSLOptions(pair.sslOptions(), true).mapEmpty(),
        daemon.metrics()));
    this.tokensFile = options.tokensFile().map(f -> new WatchedFiles<ApiTokens>(vertx, "tokens",
        "the API tokens file (http.tokensFile)", List.of(f.file()),
        f.reloadInterval(), contents -> parseTokens(f.file(), contents.get(0)), t -> {
          tokens = t;
          return Future.succeededFuture();
        }, daemon.metrics()));
    this.webhooks = new WebhookHandler(vertx, daemon);
    warmUp();
  }

  /** The tokens file's content; its problems, each at {@code file:line:col}, in one line (for the log and the status). */
  private static ApiTokens parseTokens(Path file, byte[] content) throws IOException {
    try {
      return ApiTokens.parse(file.toString(), content);
    } catch (dev.paved.reconcile.DaemonConfig.InvalidConfigException e) {
      throw new IOException(e.diagnostics().stream().map(Object::toString)
          .collect(java.util.stream.Collectors.joining("; ")), e);
    }
  }

  /**
   * Builds Jackson's serializers of the replies' maps here, on the caller's thread: the first
   * request would otherwise load and introspect those classes on the event loop.
   */
  private static void warmUp() {
    try {
      JSON.writeValueAsBytes(Map.of("status", "ok"));
      JSON.writeValueAsBytes(new LinkedHashMap<>(Map.of("error", "", REQUEST_ID, "")));
      JSON.writeValueAsBytes(new AuditLog.Page(List.of(new AuditLog.Entry(0, java.time.Instant.EPOCH, "", null, "",
          "", null, "ok", 200, null, "")), null));
      Scrubber.scrubUtf8(JSON.writeValueAsBytes(Map.of("the scrubber", "loaded here too")));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts listening; the future completes once the port is bound. The audit log and the TLS
   * files are read here, on the caller's thread (a plain thread: it reads files).
   */
  public static Future<ApiServer> start(Vertx vertx, DaemonApi daemon, Options options) {
    AuditLog audit;
    try {
      audit = AuditLog.open(options.auditDir(), AuditLog.DEFAULT_MAX_PER_FILE);
    } catch (IOException e) {
      return Future.failedFuture(new IOException("cannot open the audit log in " + options.auditDir().orElseThrow()
          + ": " + e.getMessage(), e));
    }
    ApiServer api = new ApiServer(vertx, daemon, options, audit);
    HttpServerOptions http = new HttpServerOptions().setHost(options.host()).setPort(options.port());
    if (api.tls.isPresent()) {
      try {
        http.setSsl(true).setKeyCertOptions(api.tls.get().load().keyCert());
      } catch (Exception e) {
        audit.close();
        return Future.failedFuture(new IOException("cannot read the TLS certificate or key (http.tls): "
            + e.getMessage(), e));
      }
    }
    if (api.tokensFile.isPresent()) {
      try {
        api.tokens = api.tokensFile.get().load();
      } catch (Exception e) {
        audit.close();
        return Future.failedFuture(new IOException("the API tokens file (http.tokensFile) is invalid: "
            + e.getMessage(), e));
      }
    }
    return vertx.createHttpServer(http)
        .requestHandler(api.router())
        .listen()
        .map(s -> {
          api.server = s;
          api.tls.ifPresent(WatchedFiles::watch);
          api.tokensFile.ifPresent(WatchedFiles::watch);
          return api;
        })
        .onFailure(e -> audit.close());
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  /** The audit log of the write endpoints. */
  public AuditLog audit() {
    return audit;
  }

  /**
   * Stops accepting connections and lets requests under way finish, for at most
   * {@code timeoutMillis}; then closes the audit log.
   */
  public Future<Void> shutdown(long timeoutMillis) {
    tls.ifPresent(WatchedFiles::stop);
    tokensFile.ifPresent(WatchedFiles::stop);
    return server.shutdown(timeoutMillis, TimeUnit.MILLISECONDS)
        .eventually(() -> vertx.executeBlocking(() -> {
          audit.close();
          return null;
        }, false));
  }

  /** The API's watched files (TLS pair, tokens file) for the status: whether their last change was taken. */
  List<WatchedFiles.State> files() {
    List<WatchedFiles.State> out = new java.util.ArrayList<>();
    tls.ifPresent(t -> out.add(t.state()));
    tokensFile.ifPresent(t -> out.add(t.state()));
    return out;
  }

  Router router() {
    Router r = Router.router(vertx);
    r.route().handler(this::requestId);
    r.get("/healthz").handler(ctx -> send(ctx, 200, Map.of("status", "ok")));
    r.get("/readyz").handler(this::ready);
    r.get("/metrics").handler(this::metrics);
    r.get("/api/v1/status").handler(access.read()).handler(this::status);
    new WriteEndpoints(vertx, daemon, access, audit).mount(r);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES);
    r.post("/api/v1/webhooks/:provider").handler(body).handler(webhooks);
    new PortalHandler(vertx, daemon, access).mount(r);
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

  /** The daemon's status, and the API's own ({@code api.files}: the TLS pair's and the tokens file's reloads). */
  static final class StatusReply {
    private final dev.paved.reconcile.DaemonStatus status;
    private final Map<String, Object> api;

    StatusReply(dev.paved.reconcile.DaemonStatus status, Map<String, Object> api) {
      this.status = status;
      this.api = api;
    }

    @com.fasterxml.jackson.annotation.JsonUnwrapped
    public dev.paved.reconcile.DaemonStatus getStatus() {
      return status;
    }

    public Map<String, Object> getApi() {
      return api;
    }
  }


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
    List<WatchedFiles.State> files = files();
    vertx.executeBlocking(() -> Scrubber.scrubUtf8(JSON.writeValueAsBytes(files.isEmpty() ? daemon.status()
        : new StatusReply(daemon.status(), Map.of("files", files)))), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else {
        sendBytes(ctx, 200, "application/json", Buffer.buffer(ar.result()));
      }
    });
  }
}
