package dev.paved.reconcile;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Repository URLs compared as locations, whatever form (https, ssh, scp-like) each side uses. */
public final class RepoUrls {

  private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*://");
  private static final Pattern HOST_PORT = Pattern.compile("^([^/:]+):(\\d+)(/.*)?$");
  private static final Pattern SCP_LIKE = Pattern.compile("^([^/:]+):(.*)$");

  private RepoUrls() {}

  /** A digest of where a repo's config comes from (URL as a location, branch, path): a label value. */
  static String source(DaemonConfig.Repo repo) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest((normalize(repo.url()) + "#"
          + repo.branch() + ":" + repo.path()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A repository URL reduced to {@code host/path} so that the forms one provider sends match the
   * form a user configured: no scheme, no user, no port, {@code host:path} (scp-like ssh) as
   * {@code host/path}, no trailing {@code /} or {@code .git}, lower case.
   * {@code https://github.com/Acme/Config.git}, {@code git@github.com:acme/config} and
   * {@code ssh://git@github.com:22/acme/config/} all become {@code github.com/acme/config}.
   */
  public static String normalize(String url) {
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
