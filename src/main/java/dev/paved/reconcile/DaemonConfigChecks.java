package dev.paved.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Diagnostic;
import dev.paved.config.YamlDocument;
import dev.paved.reconcile.DaemonConfig.Ha;
import dev.paved.reconcile.DaemonConfig.Signatures;
import dev.paved.reconcile.DaemonConfig.Verify;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon config's cross-field checks, what its JSON Schema cannot state: unique repo names, one
 * way to give each credential, durations longer than zero, HA timings in client-go's order, names
 * that must exist elsewhere in the file, and settings that cannot work together. Pure: a document
 * (already valid per the schema) in, {@link Diagnostic}s at the offending field out.
 */
final class DaemonConfigChecks {

  private static final List<String> DURATIONS = List.of("/resyncInterval", "/drainTimeout", "/defaults/pollInterval",
      "/defaults/retry/initialDelay", "/defaults/retry/maxDelay", "/ha/leaseDuration", "/ha/renewDeadline",
      "/ha/retryPeriod");

  private DaemonConfigChecks() {}

  /** What must hold before anything is built from {@code doc}; {@code ha} is its {@code ha:} section as read. */
  static List<Diagnostic> fields(YamlDocument doc, Ha ha) {
    List<Diagnostic> problems = new ArrayList<>();
    JsonNode t = doc.tree();
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
    for (String p : DURATIONS) {
      positive(doc, p, problems);
    }
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
      positive(doc, "/repos/" + i + "/pollInterval", problems);
    }
    return problems.stream().sorted().toList();
  }

  /** {@code http:} gives its tokens one way: {@code tokenFile} or {@code tokensFile}. */
  static Optional<Diagnostic> tokens(YamlDocument doc) {
    JsonNode h = doc.tree().path("http");
    if (h.has("tokenFile") && h.has("tokensFile")) {
      return Optional.of(Diagnostic.error(doc.sourceMap().value("/http/tokensFile"), "tokens",
          "give either tokenFile (one token with every permission) or tokensFile (named tokens), not both; a"
              + " tokens file can hold the old token as one of its entries"));
    }
    return Optional.empty();
  }

  /**
   * A repo's signature policy can work: a verifying repo trusts some key, and an enforcing one trusts
   * the daemon's own reverts (signed with the revert key, or by commit id). {@code pointer}: the
   * repo's {@code signatures} field.
   */
  static List<Diagnostic> signatures(YamlDocument doc, String pointer, Signatures s) {
    List<Diagnostic> problems = new ArrayList<>();
    String verify = s.verify().name().toLowerCase(Locale.ROOT);
    if (s.verify() != Verify.OFF && s.openPgpKeys().isEmpty() && s.sshAllowedSigners().isEmpty()) {
      problems.add(Diagnostic.error(doc.sourceMap().value(pointer + "/verify"), "invalid-value",
          "signatures.verify is " + verify + " but no key is trusted: list armored OpenPGP key files under"
              + " openpgpKeys or allowed-signers files under sshAllowedSigners"));
    }
    if (s.verify() == Verify.ENFORCE && s.revertSigningKey().isEmpty() && !s.trustOwnReverts()) {
      problems.add(Diagnostic.error(doc.sourceMap().value(pointer + "/verify"), "invalid-value",
          "signatures.verify is enforce, so the daemon's own reverts (rollback API, automatic rollback) would be held"
              + " as unsigned: set revertSigningKeyFile (they are signed and trusted) or signatures.trustOwnReverts:"
              + " true (they are trusted by commit id)"));
    }
    return problems;
  }

  private static void positive(YamlDocument doc, String pointer, List<Diagnostic> problems) {
    JsonNode v = doc.tree().at(pointer);
    if (v.isTextual() && DaemonConfig.parseDuration(v.asText()).isZero()) {
      problems.add(Diagnostic.error(doc.sourceMap().value(pointer), "invalid-value",
          "\"" + pointer.substring(1).replace('/', '.') + "\" must be longer than zero"));
    }
  }
}
