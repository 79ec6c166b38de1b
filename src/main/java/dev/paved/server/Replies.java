package dev.paved.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.paved.reconcile.DaemonApi;
import dev.paved.secret.Scrubber;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API's handlers share: the JSON mapper, the request id, JSON replies and errors
 * ({@code {"error": "...", "requestId": "..."}}), the unknown-repo 404, and asking the daemon
 * for a refresh whose outcome is logged.
 */
final class Replies {

  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  /** The routing-context key and JSON field of the request id. */
  static final String REQUEST_ID = "requestId";


  /** The status API's JSON: records as objects, Optional as its value or null, Instant as ISO-8601. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new Jdk8Module())
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Replies() {}

  /** The routing-context key of the message of the error this request was answered with (for the audit log). */
  static final String ERROR = "paved.error";

  static void error(RoutingContext ctx, int code, String message) {
    ctx.put(ERROR, message);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put(REQUEST_ID, ctx.get(REQUEST_ID));
    send(ctx, code, body);
  }

  static void send(RoutingContext ctx, int code, Object json) {
    byte[] bytes;
    try {
      bytes = Scrubber.scrubUtf8(JSON.writeValueAsBytes(json));
    } catch (JsonProcessingException e) {
      ctx.fail(500, e);
      return;
    }
    sendBytes(ctx, code, "application/json", Buffer.buffer(bytes));
  }

  static void sendBytes(RoutingContext ctx, int code, String contentType, Buffer bytes) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(code).putHeader("Content-Type", contentType).end(bytes);
  }

  /**
   * True when {@code name} is a followed repo; else answers 404. The answer never lists the
   * followed repos (a caller learns nothing of the others).
   */
  static boolean knownRepo(RoutingContext ctx, DaemonApi daemon, String name) {
    if (daemon.repos().contains(name)) {
      return true;
    }
    error(ctx, 404, "unknown repo \"" + name + "\"; GET /api/v1/status (read permission) lists the followed repos");
    return false;
  }

  /** Asks the daemon to fetch {@code repo}; the outcome is logged, not awaited. */
  static void refresh(DaemonApi daemon, String repo, String requestId, String why) {
    CompletionStage<Void> stage = daemon.refresh(repo);
    LOG.info("refresh of repo {} requested by {} (request {})", repo, why, requestId);
    stage.whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("refresh of repo {} (request {}) failed: {}", repo, requestId, unwrap(e).getMessage());
      }
    });
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
