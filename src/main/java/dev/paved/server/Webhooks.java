package dev.paved.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Provider webhooks: which followed repo a payload is about, and whether its signature or token
 * is right. Pure functions over headers, bytes and JSON; the HTTP handling is in
 * {@link WebhookHandler}.
 */
final class Webhooks {

  /** The providers of {@code POST /api/v1/webhooks/{provider}}. */
  enum Provider {
    GITHUB, GITLAB, GENERIC;

    static Optional<Provider> of(String name) {
      return switch (name) {
        case "github" -> Optional.of(GITHUB);
        case "gitlab" -> Optional.of(GITLAB);
        case "generic" -> Optional.of(GENERIC);
        default -> Optional.empty();
      };
    }

    /** What a sender must present, for the 401 message. */
    String expects() {
      return switch (this) {
        case GITHUB -> "an X-Hub-Signature-256 header (sha256=HMAC of the body with the repo's webhook secret)";
        case GITLAB -> "an X-Gitlab-Token header equal to the repo's webhook secret";
        case GENERIC -> "an Authorization: Bearer or X-Paved-Token header equal to the repo's webhook secret";
      };
    }
  }

  /** Where GitHub, GitLab and generic payloads carry the repository's URLs (JSON pointers). */
  private static final List<String> URL_POINTERS = List.of(
      "/repository/clone_url", "/repository/ssh_url", "/repository/git_url", "/repository/html_url",
      "/repository/svn_url", "/repository/url", "/repository/git_http_url", "/repository/git_ssh_url",
      "/repository/homepage", "/project/git_http_url", "/project/git_ssh_url", "/project/http_url",
      "/project/ssh_url", "/project/web_url", "/project/url", "/repository", "/url");

  private Webhooks() {}

  /** Whether the request carries the provider's proof of {@code secret} for {@code body}. */
  static boolean verify(Provider provider, MultiMap headers, byte[] body, String secret) {
    return switch (provider) {
      case GITHUB -> {
        String header = headers.get("X-Hub-Signature-256");
        if (header == null || !header.startsWith("sha256=")) {
          yield false;
        }
        yield Secrets.equal(header.substring("sha256=".length()).toLowerCase(Locale.ROOT),
            Secrets.hmacSha256Hex(secret, body));
      }
      case GITLAB -> Secrets.equal(headers.get("X-Gitlab-Token"), secret);
      case GENERIC -> Secrets.equal(bearer(headers.get("Authorization")), secret)
          | Secrets.equal(headers.get("X-Paved-Token"), secret);
    };
  }

  /**
   * One delivery of a provider, as its retries name it: {@code id} as sent (for the reply and the
   * log), {@code key} what is remembered (the provider's name first, so that ids of two providers
   * never meet).
   */
  record Delivery(String id, String key) {}

  /**
   * The delivery a request is, when its provider says: GitHub's {@code X-GitHub-Delivery} (the
   * same on a redelivery); GitLab's {@code Idempotency-Key} (the same on every retry of one
   * webhook call, GitLab 17.4 and later), else its {@code X-Gitlab-Event-UUID} together with a
   * digest of the body: that UUID is shared by the webhooks one event fires and by the events a
   * webhook's receiver causes in turn, so only the same UUID with the same payload is the same
   * delivery. Generic webhooks have none.
   */
  static Optional<Delivery> delivery(Provider provider, MultiMap headers, byte[] body) {
    return switch (provider) {
      case GITHUB -> header(headers, "X-GitHub-Delivery").map(id -> new Delivery(id, "github:" + id));
      case GITLAB -> header(headers, "Idempotency-Key").map(id -> new Delivery(id, "gitlab:" + id))
          .or(() -> header(headers, "X-Gitlab-Event-UUID").map(id -> new Delivery(id,
              "gitlab-event:" + id + ":" + java.util.HexFormat.of().formatHex(Secrets.sha256(body)))));
      case GENERIC -> Optional.empty();
    };
  }

  private static Optional<String> header(MultiMap headers, String name) {
    String v = headers.get(name);
    return v == null || v.isBlank() || v.length() > 200 ? Optional.empty() : Optional.of(v.strip());
  }

  /** The token of an {@code Authorization: Bearer TOKEN} header, or null. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  /** The repository URLs a payload names, as sent (the daemon compares them as locations). */
  static Set<String> payloadUrls(JsonNode payload) {
    Set<String> urls = new LinkedHashSet<>();
    for (String pointer : URL_POINTERS) {
      JsonNode n = payload.at(pointer);
      if (n.isTextual() && !n.asText().isBlank()) {
        urls.add(n.asText().strip());
      }
    }
    return urls;
  }
}
