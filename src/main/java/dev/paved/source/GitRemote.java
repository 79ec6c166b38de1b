package dev.paved.source;

import dev.paved.secret.Scrubber;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.URIish;

/**
 * A branch of a remote config repo: where it is ({@code file://}, a plain path, {@code https://},
 * {@code ssh://} or {@code user@host:path}), which branch, the sub-directory holding the config
 * repo ({@code ""} for the top), where the credentials come from, and the network timeout.
 *
 * <p>A URL carrying a password ({@code https://user:secret@host/...}), or any user info outside
 * ssh ({@code https://TOKEN@host/...}), is refused: secrets come from environment variables or
 * files ({@link Credentials}). Plain paths are made absolute.
 */
public record GitRemote(String url, String branch, String path, Credentials credentials, Duration timeout) {

  public static final String DEFAULT_BRANCH = "main";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public GitRemote {
    Objects.requireNonNull(url, "url");
    if (url.isBlank()) {
      throw new IllegalArgumentException("the git URL is empty");
    }
    url = url.strip();
    branch = branch == null || branch.isBlank() ? DEFAULT_BRANCH : branch.strip();
    if (branch.startsWith(Constants.R_HEADS)) {
      branch = branch.substring(Constants.R_HEADS.length());
    }
    if (!Repository.isValidRefName(Constants.R_HEADS + branch)) {
      throw new IllegalArgumentException("\"" + branch + "\" is not a valid git branch name");
    }
    path = normalizePath(path);
    credentials = credentials == null ? Credentials.none() : credentials;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the git timeout must be positive");
    }
    URIish parsed = parse(url);
    if (parsed.getPass() != null) {
      throw new IllegalArgumentException("the git URL carries a password; put it in a file or an environment"
          + " variable (passwordFile/passwordEnv or tokenFile/tokenEnv) and remove it from the URL");
    }
    if (parsed.getUser() != null && parsed.getScheme() != null && !isSsh(parsed)) {
      throw new IllegalArgumentException("the git URL carries user info (a user name or token before \"@\");"
          + " put a token in a file or an environment variable (tokenFile/tokenEnv), a user name in"
          + " credentials.username, and remove it from the URL");
    }
    if (isLocal(parsed) && parsed.getScheme() == null) {
      url = Path.of(parsed.getPath()).toAbsolutePath().normalize().toString();
    }
  }

  /** The {@code main} branch of {@code url}, the whole repo, no credentials. */
  public static GitRemote of(String url) {
    return new GitRemote(url, null, null, null, null);
  }

  public GitRemote withBranch(String value) {
    return new GitRemote(url, value, path, credentials, timeout);
  }

  public GitRemote withPath(String value) {
    return new GitRemote(url, branch, value, credentials, timeout);
  }

  public GitRemote withCredentials(Credentials value) {
    return new GitRemote(url, branch, path, value, timeout);
  }

  public GitRemote withTimeout(Duration value) {
    return new GitRemote(url, branch, path, credentials, value);
  }

  /** The full name of the branch, {@code refs/heads/<branch>}. */
  public String ref() {
    return Constants.R_HEADS + branch;
  }

  /** The URL as JGit takes it. */
  public URIish uri() {
    return parse(url);
  }

  /** Whether the remote is a repository on this machine (a path or {@code file://}). */
  public boolean local() {
    return isLocal(uri());
  }

  /** Whether the remote is reached over ssh ({@code ssh://} or {@code user@host:path}). */
  public boolean ssh() {
    return isSsh(uri());
  }

  private static boolean isSsh(URIish u) {
    String scheme = u.getScheme();
    return scheme == null ? u.getHost() != null : scheme.equals("ssh") || scheme.equals("git+ssh") || scheme.equals("ssh+git");
  }

  /** The URL to show in messages (never with a password: those are refused). */
  public String display() {
    return uri().toString();
  }

  @Override
  public String toString() {
    return display() + " " + branch + (path.isEmpty() ? "" : " (" + path + ")");
  }

  private static boolean isLocal(URIish u) {
    return u.getScheme() == null ? u.getHost() == null : u.getScheme().equals("file");
  }

  private static URIish parse(String url) {
    try {
      return new URIish(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("\"" + Scrubber.scrub(url) + "\" is not a git URL or path: "
          + Scrubber.scrub(e.getReason()));
    }
  }

  private static String normalizePath(String p) {
    if (p == null) {
      return "";
    }
    String s = p.strip().replace('\\', '/').replaceAll("^/+|/+$", "");
    if (s.equals(".")) {
      return "";
    }
    String normalized = GitSource.normalize(s);
    if (normalized == null || !normalized.equals(s)) {
      throw new IllegalArgumentException("the config path \"" + p + "\" must be a plain sub-directory of the git repo"
          + " (no \"..\", \".\" or empty parts)");
    }
    return s;
  }
}
