package dev.paved.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.apply.Clusters;
import dev.paved.config.Diagnostic;
import dev.paved.config.Kind;
import dev.paved.config.Location;
import dev.paved.config.SchemaValidator;
import dev.paved.config.YamlDocument;
import dev.paved.config.YamlReader;
import dev.paved.source.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>{@link #load} reads and validates a file; every problem is a {@link Diagnostic} at
 * {@code file:line:col}, as for the config repo.
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

  // ------------------------------------------------------------------ loading

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
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(List.of(Diagnostic.error(Location.ofFile(file.toString()), "no-file",
          what + " not found")));
    } catch (IOException e) {
      throw new InvalidConfigException(List.of(Diagnostic.error(Location.ofFile(file.toString()), "unreadable",
          "cannot read the " + what + ": " + e.getMessage())));
    }
  }

  /**
   * Reads and validates {@code file}. Relative paths in it (state dir, token and key files) are
   * resolved against the file's directory.
   */
  public static DaemonConfig load(Path file) throws InvalidConfigException {
    String name = file.toString();
    byte[] bytes = readFile(file, "daemon config file");
    Path base = file.toAbsolutePath().getParent();
    return parse(name, bytes, base == null ? Path.of("").toAbsolutePath() : base);
  }

  /** Parses a daemon config from {@code bytes}, as if read from {@code file} in directory {@code base}. */
  public static DaemonConfig parse(String file, byte[] bytes, Path base) throws InvalidConfigException {
    YamlReader.Result parsed = YamlReader.read(file, bytes);
    if (!parsed.ok()) {
      throw new InvalidConfigException(parsed.diagnostics());
    }
    if (parsed.documents().size() != 1) {
      throw new InvalidConfigException(List.of(Diagnostic.error(parsed.documents().isEmpty() ? Location.ofFile(file)
          : parsed.documents().get(1).location(), "one-document", parsed.documents().isEmpty()
              ? "file is empty; it must hold one DaemonConfig document"
              : "file holds " + parsed.documents().size() + " YAML documents; put one DaemonConfig per file")));
    }
    YamlDocument doc = parsed.documents().get(0);
    if (!doc.tree().isObject()) {
      throw new InvalidConfigException(List.of(Diagnostic.error(doc.location(), "not-a-map",
          "the file must be a YAML map of fields")));
    }
    List<Diagnostic> problems = new ArrayList<>(SchemaValidator.instance().validate(Kind.DAEMON_CONFIG, doc));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    JsonNode t = doc.tree();
    // Cross-field checks the schema cannot state.
    Map<String, Integer> names = new HashMap<>();
    JsonNode repos = t.path("repos");
    for (int i = 0; i < repos.size(); i++) {
      String n = repos.get(i).path("name").asText();
      Integer first = names.putIfAbsent(n, i);
      if (first != null) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/repos/" + i + "/name"), "duplicate-name",
            "repo name \"" + n + "\" is used twice (first at line "
                + doc.sourceMap().value("/repos/" + first + "/name").line() + "); names must be unique"));
      }
      JsonNode c = repos.get(i).path("credentials");
      long https = List.of("passwordEnv", "passwordFile", "tokenEnv", "tokenFile").stream().filter(c::has).count();
      if (https > 1) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/repos/" + i + "/credentials"), "credentials",
            "give at most one of passwordEnv, passwordFile, tokenEnv and tokenFile"));
      }
      if (c.has("username") && c.has("usernameEnv")) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/repos/" + i + "/credentials"), "credentials",
            "give the user name either as is (username) or as an environment variable (usernameEnv), not both"));
      }
    }
    for (String p : List.of("/resyncInterval", "/drainTimeout", "/defaults/pollInterval",
        "/defaults/retry/initialDelay", "/defaults/retry/maxDelay", "/ha/leaseDuration", "/ha/renewDeadline",
        "/ha/retryPeriod")) {
      checkPositive(doc, p, problems);
    }
    Ha ha = ha(t.path("ha"));
    if (ha.renewDeadline().compareTo(ha.leaseDuration()) >= 0) {
      problems.add(Diagnostic.error(doc.sourceMap().value(t.path("ha").has("renewDeadline") ? "/ha/renewDeadline"
          : "/ha/leaseDuration"), "invalid-value", "ha.renewDeadline (" + ha.renewDeadline().toMillis()
          + " ms) must be shorter than ha.leaseDuration (" + ha.leaseDuration().toMillis() + " ms): a replica stops"
          + " working on a target before another may take its Lease over"));
    } else if (ha.retryPeriod().compareTo(ha.renewDeadline()) >= 0) {
      problems.add(Diagnostic.error(doc.sourceMap().value(t.path("ha").has("retryPeriod") ? "/ha/retryPeriod"
          : "/ha"), "invalid-value", "ha.retryPeriod (" + ha.retryPeriod().toMillis() + " ms) must be shorter"
          + " than ha.renewDeadline (" + ha.renewDeadline().toMillis() + " ms): a Lease is renewed several times"
          + " before its deadline"));
    }
    if (ha.cluster().isPresent() && !t.path("clusters").has(ha.cluster().get())) {
      problems.add(Diagnostic.error(doc.sourceMap().value("/ha/cluster"), "invalid-value", "ha.cluster \""
          + ha.cluster().get() + "\" is not a connection under clusters:; name one of them, or leave ha.cluster out"
          + " to keep the Leases where the daemon runs"));
    }
    for (int i = 0; i < repos.size(); i++) {
      checkPositive(doc, "/repos/" + i + "/pollInterval", problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems.stream().sorted().toList());
    }

    JsonNode h = t.path("http");
    if (h.has("tokenFile") && h.has("tokensFile")) {
      problems.add(Diagnostic.error(doc.sourceMap().value("/http/tokensFile"), "tokens",
          "give either tokenFile (one token with every permission) or tokensFile (named tokens), not both; a"
              + " tokens file can hold the old token as one of its entries"));
      throw new InvalidConfigException(problems);
    }
    JsonNode tls = h.path("tls");
    Http http = new Http(h.path("host").asText("0.0.0.0"), h.path("port").asInt(8080),
        optPath(h, "tokenFile", base), optPath(h, "tokensFile", base), h.path("publicRead").asBoolean(false),
        tls.isObject() ? Optional.of(new Tls(optPath(tls, "certFile", base).orElseThrow(),
            optPath(tls, "keyFile", base).orElseThrow())) : Optional.empty());
    JsonNode d = t.path("defaults");
    Retry retry = new Retry(duration(d.path("retry"), "initialDelay", Retry.defaults().initialDelay()),
        duration(d.path("retry"), "maxDelay", Retry.defaults().maxDelay()));
    Defaults defaults = new Defaults(d.path("branch").asText(DEFAULT_BRANCH),
        duration(d, "pollInterval", DEFAULT_POLL),
        d.path("applyConcurrency").asInt(Defaults.defaults().applyConcurrency()), retry);
    Optional<Path> revertKey = optPath(t, "revertSigningKeyFile", base);
    if (revertKey.isPresent()) {
      try {
        dev.paved.source.RevertSigningKey.load(revertKey.get());
      } catch (dev.paved.source.RevertSigningKey.InvalidSigningKeyException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/revertSigningKeyFile"), "invalid-value", e.getMessage()));
      }
    }
    List<Repo> out = new ArrayList<>();
    for (JsonNode r : repos) {
      JsonNode c = r.path("credentials");
      Credentials credentials = new Credentials(opt(c, "username").orElse(null), opt(c, "usernameEnv").orElse(null),
          opt(c, "passwordEnv").orElse(null), optPath(c, "passwordFile", base).orElse(null),
          opt(c, "tokenEnv").orElse(null), optPath(c, "tokenFile", base).orElse(null),
          optPath(c, "sshKeyFile", base).orElse(null), optPath(c, "knownHostsFile", base).orElse(null));
      out.add(new Repo(r.path("name").asText(), r.path("url").asText(), r.path("branch").asText(defaults.branch()),
          r.path("path").asText("").replaceAll("/+$", ""), duration(r, "pollInterval", defaults.pollInterval()),
          credentials, optPath(r, "webhookSecretFile", base), r.path("pruneRemovedEnvironments").asBoolean(false),
          r.path("allowHistoryRewrite").asBoolean(false),
          signatures(doc, "/repos/" + out.size(), base, revertKey, problems)));
    }
    // What the git side refuses (an unusable URL or branch) is refused here, before anything starts.
    for (int i = 0; i < out.size(); i++) {
      try {
        MirrorSource.remote(out.get(i));
      } catch (IllegalArgumentException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/repos/" + i + "/url"), "invalid-value",
            "repo \"" + out.get(i).name() + "\": " + e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems.stream().sorted().toList());
    }
    Path stateDir = optPath(t, "stateDir", base).orElse(base.resolve(".paved-state"));
    return new DaemonConfig(http, stateDir, duration(t, "resyncInterval", DEFAULT_RESYNC),
        duration(t, "drainTimeout", DEFAULT_DRAIN), defaults, out, connections(t.path("clusters"), base), ha);
  }

  /** {@code ha:} (absent: off). */
  private static Ha ha(JsonNode h) {
    return new Ha(h.path("enabled").asBoolean(false), duration(h, "leaseDuration", Ha.DEFAULT_LEASE),
        duration(h, "renewDeadline", Ha.DEFAULT_RENEW_DEADLINE), duration(h, "retryPeriod", Ha.DEFAULT_RETRY),
        opt(h, "cluster"), opt(h, "identity"));
  }

  /** {@code repos[i].signatures}; unreadable key files and a policy that cannot work are problems at their lines. */
  private static Signatures signatures(YamlDocument doc, String repoPointer, Path base, Optional<Path> revertKey,
      List<Diagnostic> problems) {
    JsonNode s = doc.tree().at(repoPointer + "/signatures");
    Verify verify = Verify.valueOf(s.path("verify").asText("off").toUpperCase(java.util.Locale.ROOT));
    List<Path> openPgp = new ArrayList<>();
    for (int i = 0; i < s.path("openpgpKeys").size(); i++) {
      Path p = optPath(s.path("openpgpKeys"), i, base);
      openPgp.add(p);
      try {
        dev.paved.source.OpenPgpKeys.read(p);
      } catch (dev.paved.source.OpenPgpKeys.InvalidKeyFileException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value(repoPointer + "/signatures/openpgpKeys/" + i),
            "invalid-value", e.getMessage()));
      }
    }
    List<Path> ssh = new ArrayList<>();
    for (int i = 0; i < s.path("sshAllowedSigners").size(); i++) {
      Path p = optPath(s.path("sshAllowedSigners"), i, base);
      ssh.add(p);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        problems.add(Diagnostic.error(doc.sourceMap().value(repoPointer + "/signatures/sshAllowedSigners/" + i),
            "invalid-value", "the allowed-signers file " + p + " does not exist or cannot be read"));
      }
    }
    boolean trustOwn = s.path("trustOwnReverts").asBoolean(false);
    if (verify != Verify.OFF && openPgp.isEmpty() && ssh.isEmpty()) {
      problems.add(Diagnostic.error(doc.sourceMap().value(repoPointer + "/signatures/verify"), "invalid-value",
          "signatures.verify is " + verify.name().toLowerCase(java.util.Locale.ROOT) + " but no key is trusted: list"
              + " armored OpenPGP key files under openpgpKeys or allowed-signers files under sshAllowedSigners"));
    }
    if (verify == Verify.ENFORCE && revertKey.isEmpty() && !trustOwn) {
      problems.add(Diagnostic.error(doc.sourceMap().value(repoPointer + "/signatures/verify"), "invalid-value",
          "signatures.verify is enforce, so the daemon's own reverts (rollback API, automatic rollback) would be held"
              + " as unsigned: set revertSigningKeyFile (they are signed and trusted) or signatures.trustOwnReverts:"
              + " true (they are trusted by commit id)"));
    }
    return new Signatures(verify, openPgp, ssh, trustOwn, revertKey);
  }

  private static Path optPath(JsonNode array, int index, Path base) {
    String p = array.get(index).asText();
    return p.equals("~") || p.startsWith("~/") ? Path.of(System.getProperty("user.home") + p.substring(1))
        : base.resolve(p).normalize();
  }

  /** {@code clusters:}: how to reach each cluster by name; one not listed as {@link #defaultConnections()}. */
  private static Clusters.Connections connections(JsonNode clusters, Path base) {
    Map<String, Clusters.Connection> byName = new java.util.TreeMap<>();
    clusters.fields().forEachRemaining(e -> {
      JsonNode c = e.getValue();
      Clusters.Connection connection;
      if (c.path("inCluster").asBoolean(false)) {
        connection = Clusters.Connection.serviceAccount();
      } else if (c.has("server")) {
        connection = Clusters.Connection.token(c.path("server").asText(), optPath(c, "tokenFile", base).orElse(null),
            optPath(c, "caFile", base).orElse(null));
      } else {
        JsonNode k = c.path("kubeconfig");
        connection = Clusters.Connection.kubeconfig(optPath(k, "file", base).orElse(null), opt(k, "context").orElse(null));
      }
      byName.put(e.getKey(), connection);
    });
    return new Clusters.Connections(byName, defaultConnections().fallback());
  }

  private static void checkPositive(YamlDocument doc, String pointer, List<Diagnostic> problems) {
    JsonNode v = doc.tree().at(pointer);
    if (v.isTextual() && parseDuration(v.asText()).isZero()) {
      problems.add(Diagnostic.error(doc.sourceMap().value(pointer), "invalid-value",
          "\"" + pointer.substring(1).replace('/', '.') + "\" must be longer than zero"));
    }
  }

  private static Optional<String> opt(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isTextual() ? Optional.empty() : Optional.of(v.asText());
  }

  private static Optional<Path> optPath(JsonNode node, String field, Path base) {
    return opt(node, field).map(p -> p.equals("~") || p.startsWith("~/")
        ? Path.of(System.getProperty("user.home") + p.substring(1)) : base.resolve(p).normalize());
  }

  private static Duration duration(JsonNode node, String field, Duration otherwise) {
    return opt(node, field).map(DaemonConfig::parseDuration).orElse(otherwise);
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
