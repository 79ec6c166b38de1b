package dev.paved.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.apply.Clusters;
import dev.paved.config.Diagnostic;
import dev.paved.config.Kind;
import dev.paved.config.Location;
import dev.paved.config.SchemaValidator;
import dev.paved.config.YamlDocument;
import dev.paved.config.YamlReader;
import dev.paved.reconcile.DaemonConfig.Defaults;
import dev.paved.reconcile.DaemonConfig.Ha;
import dev.paved.reconcile.DaemonConfig.Http;
import dev.paved.reconcile.DaemonConfig.InvalidConfigException;
import dev.paved.reconcile.DaemonConfig.Repo;
import dev.paved.reconcile.DaemonConfig.Retry;
import dev.paved.reconcile.DaemonConfig.Signatures;
import dev.paved.reconcile.DaemonConfig.Tls;
import dev.paved.reconcile.DaemonConfig.Verify;
import dev.paved.source.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads a daemon config file into a {@link DaemonConfig}, in stages that each stop at their first
 * problems: YAML (one document, a map), the JSON Schema, the cross-field checks
 * ({@link DaemonConfigChecks}), then building each section, where what the file points at is
 * checked too (key files readable, URLs the git side accepts). Relative paths are resolved against
 * the config file's directory, {@code ~/} against the user's home.
 */
final class DaemonConfigReader {

  private DaemonConfigReader() {}

  /** See {@link DaemonConfig#readFile}. */
  static byte[] readFile(Path file, String what) throws InvalidConfigException {
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

  /** See {@link DaemonConfig#load}. */
  static DaemonConfig load(Path file) throws InvalidConfigException {
    byte[] bytes = readFile(file, "daemon config file");
    Path base = file.toAbsolutePath().getParent();
    return parse(file.toString(), bytes, base == null ? Path.of("").toAbsolutePath() : base);
  }

  /** See {@link DaemonConfig#parse}. */
  static DaemonConfig parse(String file, byte[] bytes, Path base) throws InvalidConfigException {
    YamlDocument doc = document(file, bytes);
    List<Diagnostic> schema = SchemaValidator.instance().validate(Kind.DAEMON_CONFIG, doc);
    if (!schema.isEmpty()) {
      throw new InvalidConfigException(schema);
    }
    JsonNode t = doc.tree();
    Ha ha = ha(t.path("ha"));
    List<Diagnostic> fields = DaemonConfigChecks.fields(doc, ha);
    if (!fields.isEmpty()) {
      throw new InvalidConfigException(fields);
    }
    Optional<Diagnostic> tokens = DaemonConfigChecks.tokens(doc);
    if (tokens.isPresent()) {
      throw new InvalidConfigException(List.of(tokens.get()));
    }

    List<Diagnostic> problems = new ArrayList<>();
    Http http = http(t.path("http"), base);
    Defaults defaults = defaults(t.path("defaults"));
    Optional<Path> revertKey = optPath(t, "revertSigningKeyFile", base);
    if (revertKey.isPresent()) {
      try {
        dev.paved.source.RevertSigningKey.load(revertKey.get());
      } catch (dev.paved.source.RevertSigningKey.InvalidSigningKeyException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/revertSigningKeyFile"), "invalid-value", e.getMessage()));
      }
    }
    List<Repo> repos = new ArrayList<>();
    for (JsonNode r : t.path("repos")) {
      repos.add(repo(doc, r, "/repos/" + repos.size(), defaults, base, revertKey, problems));
    }
    // What the git side refuses (an unusable URL or branch) is refused here, before anything starts.
    for (int i = 0; i < repos.size(); i++) {
      try {
        MirrorSource.remote(repos.get(i));
      } catch (IllegalArgumentException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/repos/" + i + "/url"), "invalid-value",
            "repo \"" + repos.get(i).name() + "\": " + e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems.stream().sorted().toList());
    }
    Path stateDir = optPath(t, "stateDir", base).orElse(base.resolve(".paved-state"));
    return new DaemonConfig(http, stateDir, duration(t, "resyncInterval", DaemonConfig.DEFAULT_RESYNC),
        duration(t, "drainTimeout", DaemonConfig.DEFAULT_DRAIN), defaults, repos, connections(t.path("clusters"), base),
        ha);
  }

  /** The file's one YAML document, a map. */
  private static YamlDocument document(String file, byte[] bytes) throws InvalidConfigException {
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
    return doc;
  }

  /** {@code http:}. */
  private static Http http(JsonNode h, Path base) {
    JsonNode tls = h.path("tls");
    return new Http(h.path("host").asText("0.0.0.0"), h.path("port").asInt(8080),
        optPath(h, "tokenFile", base), optPath(h, "tokensFile", base), h.path("publicRead").asBoolean(false),
        tls.isObject() ? Optional.of(new Tls(optPath(tls, "certFile", base).orElseThrow(),
            optPath(tls, "keyFile", base).orElseThrow())) : Optional.empty());
  }

  /** {@code defaults:}. */
  private static Defaults defaults(JsonNode d) {
    Retry retry = new Retry(duration(d.path("retry"), "initialDelay", Retry.defaults().initialDelay()),
        duration(d.path("retry"), "maxDelay", Retry.defaults().maxDelay()));
    return new Defaults(d.path("branch").asText(DaemonConfig.DEFAULT_BRANCH),
        duration(d, "pollInterval", DaemonConfig.DEFAULT_POLL),
        d.path("applyConcurrency").asInt(Defaults.defaults().applyConcurrency()), retry);
  }

  /** {@code ha:} (absent: off). */
  private static Ha ha(JsonNode h) {
    return new Ha(h.path("enabled").asBoolean(false), duration(h, "leaseDuration", Ha.DEFAULT_LEASE),
        duration(h, "renewDeadline", Ha.DEFAULT_RENEW_DEADLINE), duration(h, "retryPeriod", Ha.DEFAULT_RETRY),
        opt(h, "cluster"), opt(h, "identity"));
  }

  /** {@code repos[i]} at {@code pointer}, what it leaves out taken from {@code defaults}. */
  private static Repo repo(YamlDocument doc, JsonNode r, String pointer, Defaults defaults, Path base,
      Optional<Path> revertKey, List<Diagnostic> problems) {
    JsonNode c = r.path("credentials");
    Credentials credentials = new Credentials(opt(c, "username").orElse(null), opt(c, "usernameEnv").orElse(null),
        opt(c, "passwordEnv").orElse(null), optPath(c, "passwordFile", base).orElse(null),
        opt(c, "tokenEnv").orElse(null), optPath(c, "tokenFile", base).orElse(null),
        optPath(c, "sshKeyFile", base).orElse(null), optPath(c, "knownHostsFile", base).orElse(null));
    return new Repo(r.path("name").asText(), r.path("url").asText(), r.path("branch").asText(defaults.branch()),
        r.path("path").asText("").replaceAll("/+$", ""), duration(r, "pollInterval", defaults.pollInterval()),
        credentials, optPath(r, "webhookSecretFile", base), r.path("pruneRemovedEnvironments").asBoolean(false),
        r.path("allowHistoryRewrite").asBoolean(false), signatures(doc, pointer, base, revertKey, problems));
  }

  /**
   * {@code repos[i].signatures}; key files that cannot be read or parsed (as the verifiers will read
   * them: Bouncy Castle, JGit's allowed-signers parser) and a policy that cannot work are problems at
   * their entries' lines, so that a bad file stops the start rather than the first fetch.
   */
  private static Signatures signatures(YamlDocument doc, String repoPointer, Path base, Optional<Path> revertKey,
      List<Diagnostic> problems) {
    JsonNode s = doc.tree().at(repoPointer + "/signatures");
    Verify verify = Verify.valueOf(s.path("verify").asText("off").toUpperCase(Locale.ROOT));
    List<Path> openPgp = new ArrayList<>();
    for (int i = 0; i < s.path("openpgpKeys").size(); i++) {
      Path p = path(s.path("openpgpKeys").get(i).asText(), base);
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
      Path p = path(s.path("sshAllowedSigners").get(i).asText(), base);
      ssh.add(p);
      try {
        dev.paved.source.AllowedSignersFile.check(p);
      } catch (dev.paved.source.OpenPgpKeys.InvalidKeyFileException e) {
        problems.add(Diagnostic.error(doc.sourceMap().value(repoPointer + "/signatures/sshAllowedSigners/" + i),
            "invalid-value", e.getMessage()));
      }
    }
    Signatures signatures = new Signatures(verify, openPgp, ssh, s.path("trustOwnReverts").asBoolean(false),
        revertKey);
    problems.addAll(DaemonConfigChecks.signatures(doc, repoPointer + "/signatures", signatures));
    return signatures;
  }

  /** {@code clusters:}: how to reach each cluster by name; one not listed as {@link DaemonConfig#defaultConnections()}. */
  private static Clusters.Connections connections(JsonNode clusters, Path base) {
    Map<String, Clusters.Connection> byName = new TreeMap<>();
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
    return new Clusters.Connections(byName, DaemonConfig.defaultConnections().fallback());
  }

  private static Optional<String> opt(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || !v.isTextual() ? Optional.empty() : Optional.of(v.asText());
  }

  private static Optional<Path> optPath(JsonNode node, String field, Path base) {
    return opt(node, field).map(p -> path(p, base));
  }

  /** {@code p} resolved against {@code base}, or the user's home for {@code ~} and {@code ~/...}. */
  private static Path path(String p, Path base) {
    return p.equals("~") || p.startsWith("~/") ? Path.of(System.getProperty("user.home") + p.substring(1))
        : base.resolve(p).normalize();
  }

  private static Duration duration(JsonNode node, String field, Duration otherwise) {
    return opt(node, field).map(DaemonConfig::parseDuration).orElse(otherwise);
  }
}
