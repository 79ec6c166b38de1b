package dev.paved.source;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import dev.paved.secret.Scrubber;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.util.FS;

/**
 * Opens JGit transports to one {@link GitRemote} with its credentials and ssh settings, and
 * turns transport failures into Paved's typed errors with messages free of secrets. One per
 * mirror; holds the ssh client (if any) until closed.
 */
final class Transports implements AutoCloseable {

  /** The user name sent with a token when none is configured (GitHub wants it; others accept any). */
  static final String TOKEN_USER = "x-access-token";

  private static final Pattern AUTH = Pattern.compile(
      "not authorized|authenticat|auth fail|credentialsprovider|\\b401\\b|\\b403\\b|permission denied"
          + "|did not validate|publickey|host key|no more authentication methods");
  private static final Pattern NO_BRANCH = Pattern.compile("does not have .* available for fetch");

  /** A transport action: fetch, push, list refs. */
  interface Action<T> {
    T run(Transport transport) throws IOException;
  }

  /** What the ssh client is given: the identities and known-hosts files (null: ssh's defaults). */
  record SshSettings(List<Path> identities, List<Path> knownHosts) {}

  private final GitRemote remote;
  private final Function<String, String> env;
  private SshdSessionFactory sshFactory;

  Transports(GitRemote remote, Function<String, String> env) {
    this.remote = remote;
    this.env = env;
  }

  /**
   * Opens a transport from {@code repo} to the remote, runs {@code action} on it and maps every
   * failure to a {@link GitSourceException} subclass. {@code what} says what was attempted
   * ("fetch main", "push to main"), for messages.
   */
  <T> T run(Repository repo, String what, Action<T> action) throws GitSourceException {
    List<String> secrets = new ArrayList<>();
    UsernamePasswordCredentialsProvider http = remote.local() || remote.ssh() ? null : httpCredentials(secrets);
    if (remote.local()) {
      checkLocalExists();
    }
    try (Transport t = Transport.open(repo, remote.uri())) {
      t.setTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remote.timeout().toSeconds())));
      if (http != null) {
        t.setCredentialsProvider(http);
      }
      if (t instanceof SshTransport ssh) {
        ssh.setSshSessionFactory(sshFactory());
      }
      return action.run(t);
    } catch (NoRemoteRepositoryException e) {
      throw new RemoteUnreachableException(prefix(what) + "no git repository there" + detail(e, secrets), e);
    } catch (NotSupportedException e) {
      throw new RemoteUnreachableException(prefix(what) + "unsupported URL" + detail(e, secrets), e);
    } catch (TransportException e) {
      throw classify(what, e, secrets);
    } catch (IOException | RuntimeException e) {
      throw new GitSourceException(prefix(what) + scrub(String.valueOf(e.getMessage()), secrets), e);
    }
  }

  private GitSourceException classify(String what, TransportException e, List<String> secrets) {
    String message = String.valueOf(e.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (NO_BRANCH.matcher(lower).find()) {
      return new BranchNotFoundException("branch " + remote.branch() + " does not exist in " + remote.display(), e);
    }
    if (AUTH.matcher(lower).find() || AUTH.matcher(causes(e)).find()) {
      if (remote.credentials().equals(Credentials.none())) {
        return new AuthenticationFailedException(prefix(what) + "the remote requires credentials, and none are"
            + " configured", e);
      }
      return new AuthenticationFailedException(prefix(what) + "the remote refused the credentials ("
          + remote.credentials() + ")" + detail(e, secrets), e);
    }
    return new RemoteUnreachableException(prefix(what) + "the remote cannot be reached" + detail(e, secrets), e);
  }

  private static String causes(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = e.getCause(); c != null && b.length() < 2000; c = c.getCause()) {
      b.append(' ').append(c.getMessage());
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static String prefix(String what) {
    return "cannot " + what + ": ";
  }

  private String detail(Exception e, List<String> secrets) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return "";
    }
    // JGit prefixes messages with the URI; keep the part after it.
    String uri = remote.uri().toString();
    if (m.startsWith(uri + ": ")) {
      m = m.substring(uri.length() + 2);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootMessage = root == e || root.getMessage() == null ? null
        : (root instanceof java.net.UnknownHostException ? "unknown host " : "") + root.getMessage().strip();
    if (rootMessage != null && !rootMessage.isEmpty() && !m.contains(rootMessage)) {
      m = m.strip() + ": " + rootMessage;
    }
    return " (" + scrub(m.strip(), secrets) + ")";
  }

  /** {@code message} through the {@link Scrubber} (which knows every secret read here). */
  static String scrub(String message, List<String> secrets) {
    secrets.forEach(Scrubber::register);
    return Scrubber.scrub(message);
  }

  private void checkLocalExists() throws RemoteUnreachableException {
    File dir = new File(remote.uri().getPath());
    if (!dir.exists()) {
      throw new RemoteUnreachableException("no git repository at " + remote.display() + " (the path does not exist)");
    }
    if (RepositoryCache.FileKey.resolve(dir, FS.DETECTED) == null) {
      throw new RemoteUnreachableException("no git repository at " + remote.display() + " (not a git repository)");
    }
  }

  /** The https credentials, read now from their environment variables or files; null if none. */
  UsernamePasswordCredentialsProvider httpCredentials(List<String> secrets) throws AuthenticationFailedException {
    Credentials c = remote.credentials();
    if (!c.hasHttpSecret()) {
      return null;
    }
    String user = c.username() != null ? c.username() : c.usernameEnv() != null ? fromEnv(c.usernameEnv(), "user name") : null;
    String secret;
    if (c.tokenEnv() != null || c.tokenFile() != null) {
      secret = c.tokenEnv() != null ? fromEnv(c.tokenEnv(), "token") : fromFile(c.tokenFile(), "token");
      user = user == null ? TOKEN_USER : user;
    } else {
      if (user == null) {
        throw new AuthenticationFailedException("the git password for " + remote.display()
            + " needs a user name (username or usernameEnv)");
      }
      secret = c.passwordEnv() != null ? fromEnv(c.passwordEnv(), "password") : fromFile(c.passwordFile(), "password");
    }
    secrets.add(Scrubber.register(secret));
    return new UsernamePasswordCredentialsProvider(user, secret);
  }

  private String fromEnv(String variable, String what) throws AuthenticationFailedException {
    String value = env.apply(variable);
    if (value == null || value.isBlank()) {
      throw new AuthenticationFailedException("the git " + what + " for " + remote.display()
          + " is to come from environment variable " + variable + ", which is not set");
    }
    return value.strip();
  }

  private String fromFile(Path file, String what) throws AuthenticationFailedException {
    String value;
    try {
      value = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new AuthenticationFailedException("cannot read the git " + what + " file " + file + " for "
          + remote.display() + " (" + e.getClass().getSimpleName() + ")");
    }
    if (value.isEmpty()) {
      throw new AuthenticationFailedException("the git " + what + " file " + file + " for " + remote.display() + " is empty");
    }
    return value;
  }

  /** The identities and known-hosts files the ssh client gets (null lists: ssh's defaults in ~/.ssh). */
  SshSettings sshSettings() {
    Credentials c = remote.credentials();
    return new SshSettings(c.sshKeyFile() == null ? null : List.of(c.sshKeyFile().toAbsolutePath()),
        c.knownHostsFile() == null ? null : List.of(c.knownHostsFile().toAbsolutePath()));
  }

  private synchronized SshdSessionFactory sshFactory() throws AuthenticationFailedException {
    SshSettings settings = sshSettings();
    for (List<Path> files : java.util.Arrays.asList(settings.identities(), settings.knownHosts())) {
      if (files != null && !Files.isReadable(files.get(0))) {
        String kind = files == settings.identities() ? "ssh key" : "known_hosts";
        throw new AuthenticationFailedException("the " + kind + " file " + files.get(0) + " for " + remote.display()
            + " does not exist or cannot be read");
      }
    }
    if (settings.identities() != null) {
      registerKeyMaterial(settings.identities().get(0));
    }
    if (sshFactory == null) {
      File home = FS.DETECTED.userHome();
      SshdSessionFactoryBuilder b = new SshdSessionFactoryBuilder()
          .setHomeDirectory(home)
          .setSshDirectory(new File(home, ".ssh"));
      if (settings.identities() != null) {
        b.setDefaultIdentities(dir -> settings.identities()).setPreferredAuthentications("publickey");
      }
      if (settings.knownHosts() != null) {
        b.setDefaultKnownHostsFiles(dir -> settings.knownHosts());
      }
      sshFactory = b.build(null);
    }
    return sshFactory;
  }

  /** Teaches the scrubber the lines of a private key file (the key's body, never its armour lines). */
  private static void registerKeyMaterial(Path keyFile) {
    try {
      for (String line : Files.readAllLines(keyFile, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("-----") && !line.contains(":")) {
          Scrubber.register(line.strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable or not text: the ssh client reports it; nothing of it is known to print
    }
  }

  @Override
  public synchronized void close() {
    if (sshFactory != null) {
      sshFactory.close();
      sshFactory = null;
    }
  }
}
