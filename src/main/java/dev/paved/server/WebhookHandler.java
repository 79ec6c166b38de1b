package dev.paved.server;

import static dev.paved.server.Replies.REQUEST_ID;
import static dev.paved.server.Replies.error;
import static dev.paved.server.Replies.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.DaemonFailure;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/webhooks/{github|gitlab|generic}}: the repo is {@code ?repo=NAME} when
 * given, else every followed repo whose URL is one of the payload's repository URLs
 * ({@link Webhooks#payloadUrls}, looked up with {@link DaemonApi#reposAt}). Each is refreshed only
 * when the request carries its webhook secret; when none does: 401 and nothing is refreshed. The
 * secrets are read from their files and the HMACs computed on a worker, never the event loop.
 * A verified delivery seen in the last hour (a redelivery: GitHub's {@code X-GitHub-Delivery},
 * GitLab's {@code Idempotency-Key}; {@link Webhooks#delivery}) is answered 200
 * {@code {"duplicate": id}} and fetches nothing.
 */
final class WebhookHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);

  /** How long a delivery id is remembered: a redelivery within it fetches nothing. */
  static final Duration DELIVERY_MEMORY = Duration.ofHours(1);

  private final Vertx vertx;
  private final DaemonApi daemon;
  /** The {@link Webhooks.Delivery#key}s of verified deliveries, for an hour (bounded). */
  private final Cache<String, Boolean> deliveries = Caffeine.newBuilder().expireAfterWrite(DELIVERY_MEMORY)
      .maximumSize(100_000).build();

  WebhookHandler(Vertx vertx, DaemonApi daemon) {
    this.vertx = vertx;
    this.daemon = daemon;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Optional<Webhooks.Provider> provider = Webhooks.Provider.of(ctx.pathParam("provider"));
    if (provider.isEmpty()) {
      error(ctx, 404, "unknown webhook provider \"" + ctx.pathParam("provider") + "\"; use github, gitlab or generic");
      return;
    }
    Buffer buffer = ctx.body().buffer();
    byte[] raw = buffer == null ? new byte[0] : buffer.getBytes();
    List<String> repoParam = ctx.queryParam("repo");
    if (!repoParam.isEmpty()) {
      if (Replies.knownRepo(ctx, daemon, repoParam.get(0))) {
        verifyAndRefresh(ctx, provider.get(), raw, List.of(repoParam.get(0)));
      }
      return;
    }
    JsonNode payload;
    try {
      payload = Replies.JSON.readTree(raw);
    } catch (IOException e) {
      payload = null;
    }
    if (payload == null || !payload.isObject()) {
      error(ctx, 400, "cannot tell which repo this is about: pass ?repo=NAME, or send a JSON payload "
          + "with the repository's URL");
      return;
    }
    Set<String> urls = Webhooks.payloadUrls(payload);
    List<String> repos = daemon.reposAt(urls);
    if (repos.isEmpty()) {
      error(ctx, 404, "no followed repo has the payload's repository URL " + urls + "; pass ?repo=NAME");
    } else {
      verifyAndRefresh(ctx, provider.get(), raw, repos);
    }
  }

  /** The repos a webhook request proves the secret of, and those whose secret file cannot be read. */
  private record Verdict(List<String> verified, List<String> unreadable) {}

  /** Refreshes each of {@code candidates} whose webhook secret the request proves; 401 when none. */
  private void verifyAndRefresh(RoutingContext ctx, Webhooks.Provider provider, byte[] raw, List<String> candidates) {
    String requestId = ctx.get(REQUEST_ID);
    MultiMap headers = ctx.request().headers();
    vertx.executeBlocking(() -> verdict(provider, headers, raw, candidates, requestId), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else {
        respond(ctx, provider, raw, candidates, ar.result());
      }
    });
  }

  private Verdict verdict(Webhooks.Provider provider, MultiMap headers, byte[] raw, List<String> candidates,
      String requestId) {
    List<String> verified = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (String repo : candidates) {
      Optional<String> secret;
      try {
        secret = daemon.webhookSecret(repo);
      } catch (DaemonFailure e) {
        // a secret that is configured but cannot be read refuses the webhook, never accepts it unsigned
        LOG.warn("webhook for repo {} refused: {} (request {})", repo, e.getMessage(), requestId);
        unreadable.add(repo);
        continue;
      }
      if (secret.isPresent() && !secret.get().isEmpty() && Webhooks.verify(provider, headers, raw, secret.get())) {
        verified.add(repo);
      }
    }
    return new Verdict(verified, unreadable);
  }

  private void respond(RoutingContext ctx, Webhooks.Provider provider, byte[] raw, List<String> candidates,
      Verdict v) {
    List<String> verified = v.verified();
    if (verified.isEmpty() && !v.unreadable().isEmpty()) {
      error(ctx, 503, "the webhook secret of repo(s) " + v.unreadable() + " cannot be read; see the daemon log");
      return;
    }
    if (verified.isEmpty()) {
      LOG.warn("webhook {} refused for repo(s) {}: missing or bad signature (request {})",
          ctx.pathParam("provider"), candidates, (String) ctx.get(REQUEST_ID));
      error(ctx, 401, "missing or bad signature: expected " + provider.expects()
          + " (a repo without a webhook secret accepts no webhooks)");
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    Optional<Webhooks.Delivery> delivery = Webhooks.delivery(provider, ctx.request().headers(), raw);
    // Remembered only once the signature is verified: an unsigned request cannot burn a delivery id.
    if (delivery.isPresent() && deliveries.asMap().putIfAbsent(delivery.get().key(), Boolean.TRUE) != null) {
      LOG.info("webhook {} delivery {} already handled; not fetching again (request {})", ctx.pathParam("provider"),
          delivery.get().id(), (String) ctx.get(REQUEST_ID));
      body.put("duplicate", delivery.get().id());
      body.put("refresh", List.of());
      body.put(REQUEST_ID, ctx.get(REQUEST_ID));
      send(ctx, 200, body);
      return;
    }
    if ("ping".equals(ctx.request().getHeader("X-GitHub-Event"))) {
      body.put("pong", verified);
      body.put(REQUEST_ID, ctx.get(REQUEST_ID));
      send(ctx, 200, body);
      return;
    }
    for (String repo : verified) {
      Replies.refresh(daemon, repo, ctx.get(REQUEST_ID), ctx.pathParam("provider") + " webhook");
    }
    body.put("refresh", verified);
    body.put(REQUEST_ID, ctx.get(REQUEST_ID));
    send(ctx, 202, body);
  }
}
