package dev.paved.reconcile;

import dev.paved.apply.Clusters;
import dev.paved.config.Diagnostic;
import dev.paved.source.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's config file ({@code paved serve --config FILE}, kind {@code DaemonConfig}, schema
 * {@code schema/daemon.schema.json}), with every default filled in. Holds no secret: only where
 * secrets are (files, environment variables).
 *
 * <p>{@link #load} reads and validates a file ({@link DaemonConfigReader}, its cross-field checks in
 * {@link DaemonConfigChecks}); every problem is a {@link Diagnostic} at {@code file:line:col}, as for
 * the config repo.
 */
public record DaemonConfig(Http http, Path stateDir, Duration resyncInterval, Duration drainTimeout,
    Defaults defaults, List<Repo> repos, Clusters.Connections clusters, Ha ha) {

  public static final String DEFAULT_BRANCH = "main";
  public static final Duration DEFAULT_POLL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);
  public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

  public DaemonConfig {
    repos = List.copyOf(repos);
    clusters = clusters == null ? defaultConnections() : clusters;
    ha = ha == null ? Ha.off() : ha;
  }

  /** A daemon config without HA (one replica). */
  public DaemonConfig(Http http, Path stateDir, Duration resyncInterval, Duration drainTimeout, Defaults defaults,
      List<Repo> repos, Clusters.Connections clusters) {
    this(http, stateDir, resyncInterval, drainTimeout, defaults, repos, clusters, Ha.off());
  }

  /**
   * {@code ha:}: replicas share the targets through Kubernetes Leases ({@link TargetLeases}).
   * {@code cluster}: the name of the {@code clusters:} connection whose namespace {@code
   * paved-system} holds the Leases (empty: the daemon's default connection, its own cluster in a
   * pod). {@code identity}: this replica's name (empty: {@code $PAVED_REPLICA_ID}, else the host
   * name and a random suffix). The timings are client-go leader election's.
   */
  public record Ha(boolean enabled, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
      Optional<String> cluster, Optional<String> identity) {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(2);

    public static Ha off() {
      return new Ha(false, DEFAULT_LEASE, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY, Optional.empty(), Optional.empty());
    }

    /** HA on with the default timings. */
    public static Ha on() {
      return new Ha(true, DEFAULT_LEASE, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY, Optional.empty(), Optional.empty());
    }
  }

  /** The same config with {@code ha:} as given. */
  public DaemonConfig withHa(Ha h) {
    return new DaemonConfig(http, stateDir, resyncInterval, drainTimeout, defaults, repos, clusters, h);
  }

  /**
   * How the daemon reaches a cluster its config does not list: in a pod, with the pod's service
   * account; elsewhere, through $KUBECONFIG (or ~/.kube/config) and its current context.
   */
  public static Clusters.Connections defaultConnections() {
    boolean inPod = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    return new Clusters.Connections(Map.of(),
        inPod ? Clusters.Connection.serviceAccount() : Clusters.Connection.kubeconfig(null, null));
  }

  /** The same config, reaching clusters as {@code c} says. */
  public DaemonConfig withClusters(Clusters.Connections c) {
    return new DaemonConfig(http, stateDir, resyncInterval, drainTimeout, defaults, repos, c, ha);
  }

  /**
   * {@code http:}. {@code tokenFile}: one token with every permission (named {@code default});
   * {@code tokensFile}: named tokens with permissions (at most one of the two; neither: every
   * endpoint needing a token answers 401). {@code publicRead}: the read endpoints need no token.
   */
  public record Http(String host, int port, Optional<Path> tokenFile, Optional<Path> tokensFile, boolean publicRead,
      Optional<Tls> tls) {
    public Http(String host, int port, Optional<Path> tokenFile) {
      this(host, port, tokenFile, Optional.empty(), false, Optional.empty());
    }

    public static Http defaults() {
      return new Http("0.0.0.0", 8080, Optional.empty());
    }
  }

  /** {@code http.tls}: the API's certificate (chain) and private key, PEM files, reloaded when they change. */
  public record Tls(Path certFile, Path keyFile) {}

  /** Capped exponential backoff for failures outside Paved. */
  public record Retry(Duration initialDelay, Duration maxDelay) {
    public static Retry defaults() {
      return new Retry(Duration.ofSeconds(1), Duration.ofMinutes(1));
    }
  }

  /** {@code defaults:}. */
  public record Defaults(String branch, Duration pollInterval, int applyConcurrency, Retry retry) {
    public static Defaults defaults() {
      return new Defaults(DEFAULT_BRANCH, DEFAULT_POLL, dev.paved.apply.ResourceManager.DEFAULT_CONCURRENCY, Retry.defaults());
    }
  }

  /**
   * One followed config repo. {@code path} is "" for the repo root. {@code pruneRemovedEnvironments}:
   * whether an environment a commit no longer has is pruned as a whole (else its deletions are held).
   * {@code allowHistoryRewrite}: whether a commit that does not descend from the one applied to a
   * target is applied (else the target is held until an operator accepts it; {@link HistoryCheck}).
   */
  public record Repo(String name, String url, String branch, String path, Duration pollInterval,
      Credentials credentials, Optional<Path> webhookSecretFile, boolean pruneRemovedEnvironments,
      boolean allowHistoryRewrite, Signatures signatures) {
    // Credentials are the git side's own record (where each secret comes from, never a value).

    public Repo {
      signatures = signatures == null ? Signatures.off() : signatures;
    }

    /** A repo that does not verify commit signatures (the default). */
    public Repo(String name, String url, String branch, String path, Duration pollInterval, Credentials credentials,
        Optional<Path> webhookSecretFile, boolean pruneRemovedEnvironments, boolean allowHistoryRewrite) {
      this(name, url, branch, path, pollInterval, credentials, webhookSecretFile, pruneRemovedEnvironments,
          allowHistoryRewrite, Signatures.off());
    }

    /** A repo whose removed environments are held, not pruned, and whose rewrites are held (the defaults). */
    public Repo(String name, String url, String branch, String path, Duration pollInterval, Credentials credentials,
        Optional<Path> webhookSecretFile) {
      this(name, url, branch, path, pollInterval, credentials, webhookSecretFile, false, false);
    }

    public Repo withPruneRemovedEnvironments(boolean prune) {
      return new Repo(name, url, branch, path, pollInterval, credentials, webhookSecretFile, prune,
          allowHistoryRewrite, signatures);
    }

    public Repo withAllowHistoryRewrite(boolean allow) {
      return new Repo(name, url, branch, path, pollInterval, credentials, webhookSecretFile, pruneRemovedEnvironments,
          allow, signatures);
    }

    public Repo withSignatures(Signatures s) {
      return new Repo(name, url, branch, path, pollInterval, credentials, webhookSecretFile, pruneRemovedEnvironments,
          allowHistoryRewrite, s);
    }

    /** The URL without any user-info password (for status and logs). */
    public String displayUrl() {
      return url.replaceAll("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
    }
  }

  /** Commit signature verification: {@code off}, {@code warn} (report, apply) or {@code enforce} (hold). */
  public enum Verify { OFF, WARN, ENFORCE }

  /**
   * {@code repos[].signatures} (and the daemon's {@code revertSigningKeyFile}, copied into each
   * repo): how the head commit's signature is checked, who is trusted (armored OpenPGP key files,
   * SSH allowed-signers files), and how the daemon's own reverts are trusted (signed with
   * {@code revertSigningKey}, or by commit id with {@code trustOwnReverts}).
   */
  public record Signatures(Verify verify, List<Path> openPgpKeys, List<Path> sshAllowedSigners,
      boolean trustOwnReverts, Optional<Path> revertSigningKey) {
    public Signatures {
      openPgpKeys = List.copyOf(openPgpKeys);
      sshAllowedSigners = List.copyOf(sshAllowedSigners);
    }

    public static Signatures off() {
      return new Signatures(Verify.OFF, List.of(), List.of(), false, Optional.empty());
    }
  }

  /** A daemon config with one repo and defaults elsewhere (for tests and tools). */
  public static DaemonConfig of(Path stateDir, Repo... repos) {
    return new DaemonConfig(Http.defaults(), stateDir, DEFAULT_RESYNC, DEFAULT_DRAIN, Defaults.defaults(),
        List.of(repos), null);
  }

  /** A repo on {@code branch} at the root, with default poll interval and no credentials. */
  public static Repo repo(String name, String url, String branch) {
    return new Repo(name, url, branch, "", DEFAULT_POLL, Credentials.none(), Optional.empty());
  }

  public Optional<Repo> repo(String name) {
    return repos.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public DaemonConfig withResyncInterval(Duration interval) {
    return new DaemonConfig(http, stateDir, interval, drainTimeout, defaults, repos, clusters, ha);
  }

  public DaemonConfig withDefaults(Defaults d) {
    return new DaemonConfig(http, stateDir, resyncInterval, drainTimeout, d, repos, clusters, ha);
  }

  // ------------------------------------------------------------------ loading (DaemonConfigReader)

  /** The file is not a valid daemon config; {@link #diagnostics()} says where and why. */
  public static final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    public InvalidConfigException(List<Diagnostic> diagnostics) {
      super(diagnostics.stream().map(Diagnostic::toString).reduce((a, b) -> a + "\n" + b).orElse("invalid"));
      this.diagnostics = List.copyOf(diagnostics);
    }

    /** Sorted; each prints as {@code file:line:col: error: message}. */
    public List<Diagnostic> diagnostics() {
      return diagnostics;
    }
  }

  /**
   * The bytes of {@code file}, a config file of the daemon's ({@code what}: "daemon config file",
   * "API tokens file"); a missing or unreadable one is an error at {@code file:1:1}.
   */
  public static byte[] readFile(Path file, String what) throws InvalidConfigException {
    return DaemonConfigReader.readFile(file, what);
  }

  /**
   * Reads and validates {@code file} ({@link DaemonConfigReader}). Relative paths in it (state dir,
   * token and key files) are resolved against the file's directory.
   */
  public static DaemonConfig load(Path file) throws InvalidConfigException {
    return DaemonConfigReader.load(file);
  }

  /** Parses a daemon config from {@code bytes}, as if read from {@code file} in directory {@code base}. */
  public static DaemonConfig parse(String file, byte[] bytes, Path base) throws InvalidConfigException {
    return DaemonConfigReader.parse(file, bytes, base);
  }

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m} (the schema's duration pattern). */
  public static Duration parseDuration(String text) {
    Matcher m = PART.matcher(text);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      });
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\"; use e.g. 500ms, 30s, 5m or 1h30m");
    }
    return d;
  }
}
