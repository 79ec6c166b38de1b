package dev.paved.server;

import static dev.paved.server.Replies.JSON;
import static dev.paved.server.Replies.error;
import static dev.paved.server.Replies.sendBytes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.catalog.Catalog;
import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.ServiceView;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The platform's front door on the HTTP edge: the dashboard's static pages ({@code /}, from the
 * jar's {@code webroot/}), a service's page data and history, the Backstage catalog and the API's
 * OpenAPI document. Read-only; the service pages and the catalog need the read permission (the
 * pages and the OpenAPI document none); serialization runs off the event loop.
 */
final class PortalHandler {

  private final Vertx vertx;
  private final DaemonApi daemon;
  private final Access access;
  private final Buffer openApi;
  /** The dashboard's files by path, read once (on the caller's thread, never on the event loop). */
  private final java.util.Map<String, Buffer> pages = new java.util.HashMap<>();

  PortalHandler(Vertx vertx, DaemonApi daemon, Access access) {
    this.vertx = vertx;
    this.daemon = daemon;
    this.access = access;
    this.openApi = resource("/openapi.json");
    for (String page : List.of("index.html", "app.js", "app.css")) {
      Buffer b = resource("/webroot/" + page);
      if (b != null) {
        pages.put(page, b);
      }
    }
  }

  private static Buffer resource(String path) {
    try (InputStream in = PortalHandler.class.getResourceAsStream(path)) {
      return in == null ? null : Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the routes; the static pages last, so that every API path keeps its JSON errors. */
  void mount(Router r) {
    r.get("/api/v1/services/:name").handler(access.read()).handler(ctx -> json(ctx, () -> service(ctx).orElse(null)));
    r.get("/api/v1/services/:name/history").handler(access.read()).handler(ctx -> json(ctx, () -> service(ctx)
        .map(ServiceView::history).orElse(null)));
    r.get("/api/v1/catalog").handler(access.read()).handler(ctx -> json(ctx, () -> catalog(ctx)));
    r.get("/api/v1/openapi.json").handler(this::openApi);
    r.get("/").handler(ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
    r.get("/index.html").handler(ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
    r.get("/app.js").handler(ctx -> page(ctx, "app.js", "text/javascript; charset=utf-8"));
    r.get("/app.css").handler(ctx -> page(ctx, "app.css", "text/css; charset=utf-8"));
  }

  private void page(RoutingContext ctx, String name, String type) {
    Buffer b = pages.get(name);
    if (b == null) {
      error(ctx, 404, "the dashboard is not in this build");
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-cache").putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    sendBytes(ctx, 200, type, b);
  }

  private Optional<ServiceView> service(RoutingContext ctx) {
    return daemon.service(ctx.pathParam("name"));
  }

  private List<ObjectNode> catalog(RoutingContext ctx) {
    String base = ctx.request().scheme() + "://" + ctx.request().authority();
    List<ObjectNode> out = new ArrayList<>();
    daemon.platforms().values().forEach(p -> out.addAll(Catalog.backstage(p, Optional.of(base))));
    return out;
  }

  private void openApi(RoutingContext ctx) {
    if (openApi == null) {
      error(ctx, 404, "no OpenAPI document in this build");
      return;
    }
    sendBytes(ctx, 200, "application/json", openApi);
  }

  /** Serializes {@code value} off the event loop; null is a 404 naming the path. */
  private void json(RoutingContext ctx, Callable<Object> value) {
    vertx.executeBlocking(() -> {
      Object v = value.call();
      return v == null ? null : JSON.writeValueAsBytes(v);
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else if (ar.result() == null) {
        error(ctx, 404, "not found: " + ctx.request().path());
      } else {
        sendBytes(ctx, 200, "application/json", Buffer.buffer(ar.result()));
      }
    });
  }
}
