package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Diagnostic;
import dev.paved.config.YamlDocument;
import dev.paved.config.YamlReader;
import dev.paved.reconcile.DaemonConfig.Signatures;
import dev.paved.reconcile.DaemonConfig.Verify;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cross-field checks on their own: a document in, every problem out at once, sorted. */
class DaemonConfigChecksTest {

  private static YamlDocument doc(String yaml) {
    YamlReader.Result r = YamlReader.read("paved.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(r.diagnostics()).isEmpty();
    return r.documents().get(0);
  }

  private static List<String> strings(List<Diagnostic> ds) {
    return ds.stream().map(Diagnostic::toString).toList();
  }

  @Test
  void everyFieldProblemIsReportedAtOnceInFileOrder() {
    YamlDocument d = doc("""
        drainTimeout: 0ms
        repos:
          - name: a
            url: file:///a.git
            pollInterval: 0s
            credentials: {username: bot, usernameEnv: USER, tokenEnv: T, passwordFile: p}
          - name: a
            url: file:///b.git
        ha: {cluster: nowhere}
        """);
    assertThat(strings(DaemonConfigChecks.fields(d, new DaemonConfig.Ha(false, Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(2), Optional.of("nowhere"), Optional.empty())))).containsExactly(
            "paved.yaml:1:15: error: \"drainTimeout\" must be longer than zero",
            "paved.yaml:5:19: error: \"repos.0.pollInterval\" must be longer than zero",
            "paved.yaml:6:18: error: give at most one of passwordEnv, passwordFile, tokenEnv and tokenFile",
            "paved.yaml:6:18: error: give the user name either as is (username) or as an environment variable"
                + " (usernameEnv), not both",
            "paved.yaml:7:11: error: repo name \"a\" is used twice (first at line 3); names must be unique",
            "paved.yaml:9:15: error: ha.cluster \"nowhere\" is not a connection under clusters:; name one of them, or"
                + " leave ha.cluster out to keep the Leases where the daemon runs");
  }

  @Test
  void aGoodDocumentHasNoProblems() {
    YamlDocument d = doc("""
        resyncInterval: 5m
        repos:
          - {name: a, url: file:///a.git, credentials: {username: bot, tokenEnv: T}}
          - {name: b, url: file:///b.git}
        http: {tokensFile: tokens.yaml}
        clusters:
          home: {inCluster: true}
        """);
    assertThat(DaemonConfigChecks.fields(d, new DaemonConfig.Ha(true, Duration.ofSeconds(6), Duration.ofSeconds(4),
        Duration.ofSeconds(1), Optional.of("home"), Optional.empty()))).isEmpty();
    assertThat(DaemonConfigChecks.tokens(d)).isEmpty();
  }

  @Test
  void theRenewDeadlineIsCheckedBeforeTheRetryPeriod() {
    YamlDocument d = doc("ha: {leaseDuration: 4s, retryPeriod: 5s}\n");
    assertThat(strings(DaemonConfigChecks.fields(d, new DaemonConfig.Ha(true, Duration.ofSeconds(4),
        Duration.ofSeconds(10), Duration.ofSeconds(5), Optional.empty(), Optional.empty())))).singleElement()
        .asString().startsWith("paved.yaml:1:21: error: ha.renewDeadline (10000 ms) must be shorter than"
            + " ha.leaseDuration (4000 ms)");
  }

  @Test
  void oneTokenFileAtATime() {
    assertThat(DaemonConfigChecks.tokens(doc("http: {tokenFile: t, tokensFile: ts}\n")).map(Diagnostic::toString))
        .hasValueSatisfying(p -> assertThat(p).startsWith("paved.yaml:1:34: error: give either tokenFile"));
  }

  @Test
  void aSignaturePolicyMustTrustSomeKeyAndTheDaemonsOwnReverts() {
    YamlDocument d = doc("signatures:\n  verify: enforce\n");
    List<Path> key = List.of(Path.of("/k.asc"));
    assertThat(strings(DaemonConfigChecks.signatures(d, "/signatures",
        new Signatures(Verify.ENFORCE, List.of(), List.of(), false, Optional.empty())))).hasSize(2)
        .allSatisfy(p -> assertThat(p).startsWith("paved.yaml:2:11: error: signatures.verify is enforce"));
    assertThat(DaemonConfigChecks.signatures(d, "/signatures",
        new Signatures(Verify.ENFORCE, key, List.of(), true, Optional.empty()))).isEmpty();
    assertThat(DaemonConfigChecks.signatures(d, "/signatures",
        new Signatures(Verify.ENFORCE, key, List.of(), false, Optional.of(Path.of("/revert-key"))))).isEmpty();
    assertThat(DaemonConfigChecks.signatures(d, "/signatures",
        new Signatures(Verify.WARN, key, List.of(), false, Optional.empty()))).isEmpty();
    assertThat(DaemonConfigChecks.signatures(d, "/signatures", Signatures.off())).isEmpty();
  }
}
