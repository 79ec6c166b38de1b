package dev.paved.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.reconcile.DaemonStatus;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provider webhooks: which followed repo a payload is about, and whether its signature or token
 * is right. Pure functions over headers, bytes and JSON; the HTTP handling is in
 * {@link ApiServer}.
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

  private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*://");
  private static final Pattern HOST_PORT = Pattern.compile("^([^/:]+):(\\d+)(/.*)?$");
  private static final Pattern SCP_LIKE = Pattern.compile("^([^/:]+):(.*)$");

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

  /** The token of an {@code Authorization: Bearer TOKEN} header, or null. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  /** The repository URLs a payload names, normalized ({@link #normalize}). */
  static Set<String> payloadUrls(JsonNode payload) {
    Set<String> urls = new LinkedHashSet<>();
    for (String pointer : URL_POINTERS) {
      JsonNode n = payload.at(pointer);
      if (n.isTextual() && !n.asText().isBlank()) {
        urls.add(normalize(n.asText()));
      }
    }
    return urls;
  }

  /** The followed repos whose URL is one of {@code urls} (normalized). */
  static List<String> matching(Set<String> urls, List<DaemonStatus.Repo> repos) {
    List<String> names = new ArrayList<>();
    for (DaemonStatus.Repo r : repos) {
      if (r.url() != null && urls.contains(normalize(r.url()))) {
        names.add(r.name());
      }
    }
    return names;
  }

  /**
   * A repository URL reduced to {@code host/path} so that the forms one provider sends match the
   * form a user configured: no scheme, no user, no port, {@code host:path} (scp-like ssh) as
   * {@code host/path}, no trailing {@code /} or {@code .git}, lower case.
   * {@code https://github.com/Acme/Config.git}, {@code git@github.com:acme/config} and
   * {@code ssh://git@github.com:22/acme/config/} all become {@code github.com/acme/config}.
   */
  static String normalize(String url) {
    String s = url.trim().toLowerCase(Locale.ROOT);
    Matcher scheme = SCHEME.matcher(s);
    boolean hadScheme = scheme.find();
    if (hadScheme) {
      s = s.substring(scheme.end());
    }
    int slash = s.indexOf('/');
    int at = s.indexOf('@');
    if (at >= 0 && (slash < 0 || at < slash)) {
      s = s.substring(at + 1);
    }
    Matcher hostPort = HOST_PORT.matcher(s);
    if (hostPort.matches()) {
      s = hostPort.group(1) + (hostPort.group(3) == null ? "" : hostPort.group(3));
    } else if (!hadScheme) {
      Matcher scp = SCP_LIKE.matcher(s);
      if (scp.matches()) {
        s = scp.group(1) + "/" + scp.group(2);
      }
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith(".git")) {
      s = s.substring(0, s.length() - 4);
    }
    return s;
  }
}
