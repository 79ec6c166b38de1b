package dev.paved.server;

import static dev.paved.server.Replies.JSON;
import static dev.paved.server.Replies.REQUEST_ID;
import static dev.paved.server.Replies.error;
import static dev.paved.server.Replies.send;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.DaemonFailure;
import dev.paved.source.RevertReason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write endpoints, each behind its permission and audited ({@link Access#write}):
 * {@code POST /api/v1/repos/{name}/refresh}, {@code /revert} and {@code /accept-head}; and the audit log's reader,
 * {@code GET /api/v1/audit} (read permission).
 *
 * <p>A revert's author is the token's name. A trusted proxy's {@code X-Paved-Actor} is honoured
 * and recorded as {@code "<token> on behalf of <actor>"} (the actor's e-mail, if given, is the
 * author's); any other token sending it is refused (403). {@code reason} is one line ({@link RevertReason}).
 */
final class WriteEndpoints {

  private static final Logger LOG = LoggerFactory.getLogger(WriteEndpoints.class);
  private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{4,64}");
  private static final Pattern ACCEPTED_COMMIT = Pattern.compile("[0-9a-fA-F]{7,64}");
  private static final Pattern ACTOR_NAME = Pattern.compile("[\\p{L}\\p{N} ._'@+-]{1,100}");
  private static final Pattern NAME_EMAIL = Pattern.compile("([^<>]*?)\\s*<([^<>\\s]{1,200})>");
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
  private static final Set<String> REVERT_FIELDS = Set.of("commit", "reason", "pathOnly", "reviewBranch");
  private static final int MAX_PAGE = 1000;

  private final Vertx vertx;
  private final DaemonApi daemon;
  private final Access access;
  private final AuditLog audit;

  WriteEndpoints(Vertx vertx, DaemonApi daemon, Access access, AuditLog audit) {
    this.vertx = vertx;
    this.daemon = daemon;
    this.access = access;
    this.audit = audit;
  }

  void mount(Router r) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(ApiServer.BODY_LIMIT_BYTES);
    r.post("/api/v1/repos/:name/refresh").handler(body).handler(access.write(Permission.REFRESH, "refresh"))
        .handler(this::refresh);
    r.post("/api/v1/repos/:name/revert").handler(body).handler(access.write(Permission.REVERT, "revert"))
        .handler(this::revert);
    r.post("/api/v1/repos/:name/accept-head").handler(body)
        .handler(access.write(Permission.ACCEPT_HEAD, "accept-head")).handler(this::acceptHead);
    r.get("/api/v1/audit").handler(access.require(Permission.READ)).handler(this::audit);
  }

  private void refresh(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!Replies.knownRepo(ctx, daemon, name)) {
      return;
    }
    Replies.refresh(daemon, name, ctx.get(REQUEST_ID), "token " + Access.token(ctx).map(ApiTokens.Token::name)
        .orElse("?"));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("refresh", List.of(name));
    body.put(REQUEST_ID, ctx.get(REQUEST_ID));
    send(ctx, 202, body);
  }

  private void revert(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    ApiTokens.Token token = Access.token(ctx).orElseThrow();
    String usage = "the body must be JSON {\"commit\": \"<commit id>\", \"reason\": \"<why, one line>\","
        + " \"pathOnly\": false, \"reviewBranch\": \"<new branch>\"} (only commit is required)";
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
    String commit = body.path("commit").isTextual() ? body.path("commit").asText() : "";
    if (COMMIT.matcher(commit).matches()) {
      Access.auditCommit(ctx, commit);
    }
    Optional<String> unknown = iterable(body.fieldNames()).stream().filter(f -> !REVERT_FIELDS.contains(f)).findFirst();
    if (unknown.isPresent()) {
      error(ctx, 400, "unknown field \"" + unknown.get() + "\" in the body; " + usage);
      return;
    }
    if (!COMMIT.matcher(commit).matches()) {
      error(ctx, 400, usage + ": \"commit\" must be a commit id (4 to 64 hex digits)");
      return;
    }
    JsonNode reasonNode = body.path("reason");
    if (!reasonNode.isMissingNode() && !reasonNode.isNull() && !reasonNode.isTextual()) {
      error(ctx, 400, "\"reason\" must be a string");
      return;
    }
    String reason = reasonNode.asText("").strip();
    Optional<String> badReason = RevertReason.problem(reason);
    if (badReason.isPresent()) {
      error(ctx, 400, "\"reason\" " + badReason.get());
      return;
    }
    JsonNode pathOnly = body.path("pathOnly");
    if (!pathOnly.isMissingNode() && !pathOnly.isNull() && !pathOnly.isBoolean()) {
      error(ctx, 400, "\"pathOnly\" must be true or false");
      return;
    }
    JsonNode review = body.path("reviewBranch");
    Optional<String> reviewBranch = Optional.empty();
    if (!review.isMissingNode() && !review.isNull()) {
      if (!review.isTextual() || !BRANCH.matcher(review.asText()).matches() || review.asText().contains("..")
          || review.asText().startsWith("-") || review.asText().startsWith("/") || review.asText().endsWith("/")) {
        error(ctx, 400, "\"reviewBranch\" must be a git branch name (letters, digits, . _ / -), e.g."
            + " rollback/checkout-2");
        return;
      }
      reviewBranch = Optional.of(review.asText());
    }
    Optional<String> author = author(ctx, token);
    if (author.isEmpty()) {
      return;
    }
    String requestId = ctx.get(REQUEST_ID);
    LOG.info("revert of {} on repo {} requested by {} (request {})", commit, name, author.get(), requestId);
    if (!Replies.knownRepo(ctx, daemon, name)) {
      return;
    }
    DaemonApi.RevertRequest request = new DaemonApi.RevertRequest(commit, reason.isEmpty() ? "no reason given"
        : reason, author.get(), pathOnly.asBoolean(false), reviewBranch);
    Future<DaemonApi.RevertOutcome> outcome;
    try {
      outcome = Future.fromCompletionStage(daemon.revert(name, request), vertx.getOrCreateContext());
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
   * that rewrites history (held targets then apply it). Audited like every write; the daemon is
   * told the token's name as who accepted.
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
    String wanted = commit.toLowerCase(java.util.Locale.ROOT);
    Access.auditCommit(ctx, wanted);
    String caller = Access.token(ctx).map(ApiTokens.Token::name).orElseThrow();
    String requestId = ctx.get(REQUEST_ID);
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

  /**
   * The revert's git author: the token's name; for a trusted proxy with {@code X-Paved-Actor},
   * {@code "<token> on behalf of <actor>"}. Empty when the request was answered (refused).
   */
  private static Optional<String> author(RoutingContext ctx, ApiTokens.Token token) {
    String actor = ctx.request().getHeader("X-Paved-Actor");
    if (actor == null) {
      return Optional.of(token.name());
    }
    if (!token.trustedProxy()) {
      error(ctx, 403, "token \"" + token.name() + "\" is not a trusted proxy: X-Paved-Actor is honoured only for"
          + " tokens with trustedProxy: true. Send the request without it: the revert's author is the token's name");
      return Optional.empty();
    }
    String a = actor.strip();
    Matcher m = NAME_EMAIL.matcher(a);
    boolean valid = RevertReason.oneLine(a) && (m.matches() ? ACTOR_NAME.matcher(m.group(1)).matches()
        : ACTOR_NAME.matcher(a).matches());
    if (!valid) {
      error(ctx, 400, "X-Paved-Actor must be one line, a name (letters, digits, spaces, . _ ' @ + -) of at most 100"
          + " characters or \"Name <email>\"");
      return Optional.empty();
    }
    Access.auditActor(ctx, a);
    return Optional.of(m.matches() ? token.name() + " on behalf of " + m.group(1) + " <" + m.group(2) + ">"
        : token.name() + " on behalf of " + a);
  }


  private void audit(RoutingContext ctx) {
    int limit;
    Optional<Long> before;
    try {
      limit = ctx.queryParam("limit").isEmpty() ? 100 : Integer.parseInt(ctx.queryParam("limit").get(0));
      before = ctx.queryParam("before").isEmpty() ? Optional.empty()
          : Optional.of(Long.parseLong(ctx.queryParam("before").get(0)));
    } catch (NumberFormatException e) {
      error(ctx, 400, "limit and before must be whole numbers");
      return;
    }
    if (limit < 1 || limit > MAX_PAGE) {
      error(ctx, 400, "limit must be between 1 and " + MAX_PAGE);
      return;
    }
    AuditLog.Page page = audit.page(before, limit);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entries", page.entries());
    body.put("next", page.next());
    send(ctx, 200, body);
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  static void daemonFailure(RoutingContext ctx, Throwable e) {
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
