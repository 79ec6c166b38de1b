package dev.paved.server;

import static dev.paved.server.Replies.REQUEST_ID;
import static dev.paved.server.Replies.error;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Who may call what: the bearer token of a request, found among the {@link ApiTokens} in
 * constant time, must hold the endpoint's {@link Permission}. A missing or unknown token is
 * 401, a token without the permission 403 (naming the token and what it may do).
 *
 * <p>A write endpoint guarded by {@link #write} is audited: once its token is known, the call's
 * outcome (the response's status and, for an error, its message) is appended to the
 * {@link AuditLog} when the response ends, whatever handler answered. Handlers add what the log
 * cannot see from the request with {@link #auditCommit} and {@link #auditActor}. Calls without a
 * known token are not audited (an unauthenticated caller could otherwise flood the bounded log
 * and push real entries out); they are in the access log.
 */
public final class Access {

  private static final String TOKEN = "paved.token";
  private static final String COMMIT = "paved.audit.commit";
  private static final String ACTOR = "paved.audit.actor";

  private final java.util.function.Supplier<ApiTokens> tokens;
  private final boolean publicRead;
  private final AuditLog audit;

  /** {@code tokens}: the tokens in use now, asked at each request (the tokens file is reloaded when it changes). */
  Access(java.util.function.Supplier<ApiTokens> tokens, boolean publicRead, AuditLog audit) {
    this.tokens = tokens;
    this.publicRead = publicRead;
    this.audit = audit;
  }

  /** Reads need {@link Permission#READ}, unless {@code http.publicRead} is set. */
  Handler<RoutingContext> read() {
    return ctx -> {
      if (publicRead) {
        ctx.next();
        return;
      }
      authorize(ctx, Permission.READ, null);
    };
  }

  /** Needs a token with {@code permission}, whatever {@code http.publicRead} says (the audit log). */
  Handler<RoutingContext> require(Permission permission) {
    return ctx -> authorize(ctx, permission, null);
  }

  /**
   * A write endpoint: the token must hold {@code permission}; the call is audited as
   * {@code action} on the repo of path parameter {@code name}.
   */
  public Handler<RoutingContext> write(Permission permission, String action) {
    return ctx -> authorize(ctx, permission, action);
  }

  /** The token the request authenticated with (empty on a public read). */
  public static Optional<ApiTokens.Token> token(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(TOKEN));
  }

  /** The commit a write call is about, for its audit entry. */
  public static void auditCommit(RoutingContext ctx, String commit) {
    ctx.put(COMMIT, commit);
  }

  /** The person a trusted proxy acts for, for the audit entry. */
  public static void auditActor(RoutingContext ctx, String actor) {
    ctx.put(ACTOR, actor);
  }

  private void authorize(RoutingContext ctx, Permission permission, String action) {
    ApiTokens tokens = this.tokens.get();
    if (tokens.isEmpty()) {
      challenge(ctx);
      error(ctx, 401, permission == Permission.READ
          ? "this endpoint needs a token with the read permission, and the daemon has no API tokens: set"
              + " http.tokensFile (or http.tokenFile) in the daemon config, or http.publicRead: true"
          : "write endpoints are disabled: the daemon has no API tokens configured (http.tokensFile or"
              + " http.tokenFile)");
      return;
    }
    String given = Webhooks.bearer(ctx.request().getHeader("Authorization"));
    Optional<ApiTokens.Token> token = tokens.authenticate(given);
    if (token.isEmpty()) {
      challenge(ctx);
      error(ctx, 401, given == null ? "missing Authorization: Bearer <token> header" : "wrong bearer token");
      return;
    }
    ApiTokens.Token t = token.get();
    ctx.put(TOKEN, t);
    if (action != null) {
      String repo = ctx.pathParam("name");
      ctx.addEndHandler(done -> audit.append(t.name(), ctx.get(ACTOR), action, repo, commit(ctx),
          ctx.response().getStatusCode(), ctx.response().getStatusCode() >= 400 ? ctx.get(Replies.ERROR) : null,
          ctx.get(REQUEST_ID)));
    }
    if (!t.may(permission)) {
      error(ctx, 403, "token \"" + t.name() + "\" may not " + permission.id() + " (its permissions: "
          + (t.permissions().isEmpty() ? "none" : String.join(", ", t.permissionIds()))
          + "); ask for a token with the " + permission.id() + " permission");
      return;
    }
    ctx.next();
  }

  /** The commit the handler named, else the body's {@code commit} if it is a commit id (a refused call's). */
  private static String commit(RoutingContext ctx) {
    String named = ctx.get(COMMIT);
    if (named != null) {
      return named;
    }
    try {
      io.vertx.core.buffer.Buffer b = ctx.body() == null ? null : ctx.body().buffer();
      if (b == null || b.length() == 0) {
        return null;
      }
      String c = Replies.JSON.readTree(b.getBytes()).path("commit").asText("");
      return c.matches("[0-9a-fA-F]{4,64}") ? c : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static void challenge(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
  }
}
