package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.config.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigTest {

  private static final Path BASE = Path.of("/etc/paved");

  private static DaemonConfig parse(String yaml) throws DaemonConfig.InvalidConfigException {
    return DaemonConfig.parse("paved.yaml", yaml.getBytes(StandardCharsets.UTF_8), BASE);
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (DaemonConfig.InvalidConfigException e) {
      return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }
    throw new AssertionError("expected the config to be refused");
  }

  @Test
  void readsAFullConfigWithDefaultsFilledIn() throws Exception {
    DaemonConfig c = parse("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          port: 9090
          tokenFile: secrets/api-token
        stateDir: /var/lib/paved
        resyncInterval: 10m
        drainTimeout: 45s
        defaults:
          branch: trunk
          pollInterval: 30s
          retry:
            maxDelay: 2m
        repos:
          - name: platform
            url: https://git.example.com/platform/config.git
            path: deploy/paved
            credentials:
              usernameEnv: GIT_USER
              passwordEnv: GIT_TOKEN
            webhookSecretFile: /run/secrets/webhook
            pruneRemovedEnvironments: true
            allowHistoryRewrite: true
          - name: edge
            url: ssh://git@git.example.com/edge/config.git
            branch: release
            pollInterval: 1h30m
            credentials:
              sshKeyFile: ~/.ssh/id_ed25519
              knownHostsFile: known_hosts
        """);
    assertThat(c.http()).isEqualTo(new DaemonConfig.Http("0.0.0.0", 9090,
        Optional.of(Path.of("/etc/paved/secrets/api-token"))));
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/paved"));
    assertThat(c.resyncInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(c.defaults().retry()).isEqualTo(new DaemonConfig.Retry(Duration.ofSeconds(1), Duration.ofMinutes(2)));

    DaemonConfig.Repo platform = c.repos().get(0);
    assertThat(platform.branch()).isEqualTo("trunk");
    assertThat(platform.path()).isEqualTo("deploy/paved");
    assertThat(platform.pollInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(platform.credentials().usernameEnv()).isEqualTo("GIT_USER");
    assertThat(platform.credentials().passwordEnv()).isEqualTo("GIT_TOKEN");
    assertThat(platform.webhookSecretFile()).contains(Path.of("/run/secrets/webhook"));
    assertThat(platform.pruneRemovedEnvironments()).isTrue();
    assertThat(platform.allowHistoryRewrite()).isTrue();

    DaemonConfig.Repo edge = c.repos().get(1);
    assertThat(edge.branch()).isEqualTo("release");
    assertThat(edge.pollInterval()).isEqualTo(Duration.ofMinutes(90));
    assertThat(edge.credentials().sshKeyFile())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "id_ed25519"));
    assertThat(edge.credentials().knownHostsFile()).isEqualTo(Path.of("/etc/paved/known_hosts"));
    assertThat(edge.pruneRemovedEnvironments()).as("removed environments are held by default").isFalse();
    assertThat(edge.allowHistoryRewrite()).as("rewritten history is held by default").isFalse();
  }

  @Test
  void theSmallestConfigGetsEveryDefault() throws Exception {
    DaemonConfig c = parse("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: platform
            url: file:///srv/git/platform.git
        """);
    assertThat(c.http()).isEqualTo(DaemonConfig.Http.defaults());
    assertThat(c.stateDir()).isEqualTo(Path.of("/etc/paved/.paved-state"));
    assertThat(c.resyncInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.repos()).singleElement().satisfies(r -> {
      assertThat(r.branch()).isEqualTo("main");
      assertThat(r.path()).isEmpty();
      assertThat(r.pollInterval()).isEqualTo(Duration.ofMinutes(1));
      assertThat(r.credentials()).isEqualTo(dev.paved.source.Credentials.none());
      assertThat(r.webhookSecretFile()).isEmpty();
    });
  }

  @Test
  void howToReachEachClusterIsTheDaemonsNotTheConfigRepos() throws Exception {
    DaemonConfig c = parse("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - {name: platform, url: file:///srv/git/platform.git}
        clusters:
          nonprod: {kubeconfig: {file: kube/nonprod.yaml, context: admin}}
          prod-eu: {server: https://prod.example:6443, tokenFile: /var/run/prod-token, caFile: prod-ca.crt}
          local: {inCluster: true}
        """);
    dev.paved.apply.Clusters.Connections k = c.clusters();
    assertThat(k.of("nonprod")).isEqualTo(dev.paved.apply.Clusters.Connection.kubeconfig(
        Path.of("/etc/paved/kube/nonprod.yaml"), "admin"));
    assertThat(k.of("prod-eu")).isEqualTo(dev.paved.apply.Clusters.Connection.token("https://prod.example:6443",
        Path.of("/var/run/prod-token"), Path.of("/etc/paved/prod-ca.crt")));
    assertThat(k.of("local").inCluster()).isTrue();
    assertThat(k.of("elsewhere")).isEqualTo(DaemonConfig.defaultConnections().fallback());
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - {name: platform, url: file:///srv/git/platform.git}
        clusters:
          nonprod: {inCluster: true, kubeconfig: {file: x}}
        """)).containsExactly("paved.yaml:6:12: error: a cluster connection needs exactly one of \"inCluster: true\", "
            + "\"kubeconfig\", or \"server\" with \"tokenFile\"");
  }

  @Test
  void namedTokensPublicReadAndTlsAreReadAndOneTokenFileAtATime() throws Exception {
    DaemonConfig c = parse("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          tokensFile: secrets/api-tokens.yaml
          publicRead: true
          tls: {certFile: tls/tls.crt, keyFile: /run/tls/tls.key}
        repos:
          - {name: platform, url: https://git.example.com/platform/config.git}
        """);
    assertThat(c.http()).isEqualTo(new DaemonConfig.Http("0.0.0.0", 8080, Optional.empty(),
        Optional.of(Path.of("/etc/paved/secrets/api-tokens.yaml")), true, Optional.of(new DaemonConfig.Tls(
            Path.of("/etc/paved/tls/tls.crt"), Path.of("/run/tls/tls.key")))));
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          tokenFile: secrets/api-token
          tokensFile: secrets/api-tokens.yaml
        repos:
          - {name: platform, url: https://git.example.com/platform/config.git}
        """)).containsExactly("paved.yaml:5:15: error: give either tokenFile (one token with every permission) or"
        + " tokensFile (named tokens), not both; a tokens file can hold the old token as one of its entries");
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          tls: {certFile: tls.crt}
        repos:
          - {name: platform, url: https://git.example.com/platform/config.git}
        """)).singleElement().asString().startsWith("paved.yaml:4:8: error:").contains("keyFile");
  }

  @Test
  void haIsOffByDefaultAndTakesClientGosTimings() throws Exception {
    String repos = """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - {name: platform, url: file:///srv/git/platform.git}
        clusters:
          home: {inCluster: true}
        """;
    assertThat(parse(repos).ha()).isEqualTo(DaemonConfig.Ha.off());
    DaemonConfig.Ha on = parse(repos + "ha: {enabled: true}\n").ha();
    assertThat(on.enabled()).isTrue();
    assertThat(on.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(on.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(on.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    DaemonConfig.Ha tuned = parse(repos + """
        ha: {enabled: true, leaseDuration: 6s, renewDeadline: 4s, retryPeriod: 500ms, cluster: home, identity: r-0}
        """).ha();
    assertThat(tuned).isEqualTo(new DaemonConfig.Ha(true, Duration.ofSeconds(6), Duration.ofSeconds(4),
        Duration.ofMillis(500), java.util.Optional.of("home"), java.util.Optional.of("r-0")));
    assertThat(problems(repos + "ha: {enabled: true, leaseDuration: 10s}\n")).containsExactly("paved.yaml:7:36: error:"
        + " ha.renewDeadline (10000 ms) must be shorter than ha.leaseDuration (10000 ms): a replica stops working on a"
        + " target before another may take its Lease over");
    assertThat(problems(repos + "ha:\n  renewDeadline: 3s\n  retryPeriod: 3s\n")).containsExactly("paved.yaml:9:16:"
        + " error: ha.retryPeriod (3000 ms) must be shorter than ha.renewDeadline (3000 ms): a Lease is renewed"
        + " several times before its deadline");
    assertThat(problems(repos + "ha: {enabled: true, cluster: nowhere}\n")).singleElement().asString()
        .contains("ha.cluster \"nowhere\" is not a connection under clusters:");
  }

  @Test
  void anUnknownFieldIsReportedAtItsLineAndColumn() {
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: platform
            url: file:///srv/git/platform.git
            brnach: main
        """)).containsExactly(
            "paved.yaml:6:5: error: unknown field \"brnach\" in \"repos[0]\"; did you mean \"branch\"?");
  }

  @Test
  void aRepoWithoutUrlIsRefused() {
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: platform
            branch: main
        """)).singleElement().satisfies(p -> assertThat(p)
            .startsWith("paved.yaml:4:5: error: missing required field \"url\" in \"repos[0]\""));
  }

  @Test
  void secretsCannotBeWrittenInline() {
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          token: s3cr3t
        repos:
          - name: platform
            url: https://bot:hunter2@git.example.com/platform.git
            credentials:
              password: hunter2
        """)).hasSize(3).anySatisfy(p -> assertThat(p).startsWith("paved.yaml:4:3: error: unknown field \"token\""))
        .anySatisfy(p -> assertThat(p).startsWith("paved.yaml:7:10: error: \"repos[0].url\""))
        .anySatisfy(p -> assertThat(p).startsWith("paved.yaml:9:7: error: unknown field \"password\""));
  }

  @Test
  void aTokenAsUserInfoOfTheUrlIsRefusedWithoutBeingPrinted() throws Exception {
    for (String url : List.of("https://ghp_planted1234@github.com/acme/config.git",
        "http://x-access-token:ghp_planted1234@git.example.com/a.git", "ssh://git:ghp_planted1234@host/a.git")) {
      assertThat(problems("""
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          repos:
            - name: platform
              url: %s
          """.formatted(url))).as(url).singleElement().satisfies(p -> assertThat(p)
              .startsWith("paved.yaml:5:10: error: \"repos[0].url\"").doesNotContain("ghp_planted1234"));
    }
    assertThat(parse("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: platform
            url: ssh://git@github.com/acme/config.git
        """).repos()).as("an ssh user is no secret").hasSize(1);
  }

  @Test
  void badDurationsWrongKindAndDuplicateNamesAreRefused() {
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        resyncInterval: 5 minutes
        repos:
          - name: platform
            url: file:///a.git
        """)).singleElement().satisfies(p -> assertThat(p).startsWith("paved.yaml:3:17: error: \"resyncInterval\""));
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: Cluster
        repos:
          - name: platform
            url: file:///a.git
        """)).singleElement().satisfies(p -> assertThat(p).startsWith("paved.yaml:2:7: error: \"kind\" must be"));
    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        resyncInterval: 0s
        repos:
          - name: platform
            url: file:///a.git
          - name: platform
            url: file:///b.git
        """)).containsExactly(
            "paved.yaml:3:17: error: \"resyncInterval\" must be longer than zero",
            "paved.yaml:7:11: error: repo name \"platform\" is used twice (first at line 5); names must be unique");
  }

  @Test
  void aMissingFileAndMalformedYamlAreDiagnostics(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> DaemonConfig.load(dir.resolve("nope.yaml")))
        .isInstanceOf(DaemonConfig.InvalidConfigException.class).hasMessageContaining("nope.yaml:1:1: error:");
    Path bad = Files.writeString(dir.resolve("paved.yaml"), "repos: [\n");
    assertThatThrownBy(() -> DaemonConfig.load(bad)).isInstanceOf(DaemonConfig.InvalidConfigException.class)
        .hasMessageContaining("paved.yaml:").hasMessageContaining("malformed YAML");
  }

  @Test
  void signaturesReadTheirKeysAndRefuseWhatCannotWork(@TempDir Path dir) throws Exception {
    dev.paved.source.TestSigners.Gpg alice = dev.paved.source.TestSigners.gpg("Alice <alice@example.com>");
    alice.write(dir.resolve("alice.asc"));
    dev.paved.source.TestSigners.Ssh own = dev.paved.source.TestSigners.ssh(dir.resolve("revert-key"));
    Files.writeString(dir.resolve("allowed_signers"), "# who signs\n" + own.allowedSigner("ops@example.com") + "\n");
    DaemonConfig c = DaemonConfig.parse("paved.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        revertSigningKeyFile: revert-key
        repos:
          - name: platform
            url: https://git.example.com/platform.git
            signatures:
              verify: enforce
              openpgpKeys: [alice.asc]
              sshAllowedSigners: [allowed_signers]
          - name: edge
            url: https://git.example.com/edge.git
        """.getBytes(StandardCharsets.UTF_8), dir);
    DaemonConfig.Signatures s = c.repos().get(0).signatures();
    assertThat(s).isEqualTo(new DaemonConfig.Signatures(DaemonConfig.Verify.ENFORCE, List.of(dir.resolve("alice.asc")),
        List.of(dir.resolve("allowed_signers")), false, Optional.of(dir.resolve("revert-key"))));
    assertThat(c.repos().get(1).signatures().verify()).isEqualTo(DaemonConfig.Verify.OFF);
    assertThat(dev.paved.source.RevertSigningKey.load(dir.resolve("revert-key")).allowedSignersLine())
        .isEqualTo("paved namespaces=\"git\" " + own.publicKey());

    Files.writeString(dir.resolve("not-a-key.asc"), "hello\n");
    Files.writeString(dir.resolve("not-ssh"), "hello\n");
    List<String> problems;
    try {
      DaemonConfig.parse("paved.yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          revertSigningKeyFile: not-ssh
          repos:
            - name: a
              url: https://git.example.com/a.git
              signatures:
                verify: enforce
                openpgpKeys: [not-a-key.asc]
                sshAllowedSigners: [missing]
            - name: b
              url: https://git.example.com/b.git
              signatures:
                verify: warn
          """.getBytes(StandardCharsets.UTF_8), dir);
      throw new AssertionError("expected a refusal");
    } catch (DaemonConfig.InvalidConfigException e) {
      problems = e.diagnostics().stream().map(Diagnostic::toString).toList();
    }
    assertThat(problems).containsExactly(
        "paved.yaml:3:23: error: the signing key file " + dir.resolve("not-ssh") + " is not an unencrypted OpenSSH"
            + " private key (make one with ssh-keygen -t ed25519 -N '' -f FILE)",
        "paved.yaml:9:21: error: cannot read OpenPGP public keys from " + dir.resolve("not-a-key.asc")
            + problems.get(1).replaceAll(".*" + java.util.regex.Pattern.quote(dir.resolve("not-a-key.asc").toString()), ""),
        "paved.yaml:10:27: error: the allowed-signers file " + dir.resolve("missing") + " does not exist or cannot be"
            + " read; put it there (e.g. from a mounted Secret) or fix the path",
        "paved.yaml:14:15: error: signatures.verify is warn but no key is trusted: list armored OpenPGP key files under"
            + " openpgpKeys or allowed-signers files under sshAllowedSigners");
    assertThat(problems.get(1)).contains("export them with gpg --export --armor KEYID").doesNotContain("\n");

    assertThat(problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: a
            url: https://git.example.com/a.git
            signatures:
              verify: enforce
              sshAllowedSigners: [%s]
        """.formatted(dir.resolve("allowed_signers")))).containsExactly("paved.yaml:7:15: error: signatures.verify is enforce, so the daemon's own reverts"
            + " (rollback API, automatic rollback) would be held as unsigned: set revertSigningKeyFile (they are"
            + " signed and trusted) or signatures.trustOwnReverts: true (they are trusted by commit id)");
  }

  @Test
  void anAllowedSignersFileThatCannotBeParsedIsAConfigErrorAtItsEntry(@TempDir Path dir) throws Exception {
    dev.paved.source.TestSigners.Ssh bob = dev.paved.source.TestSigners.ssh(dir.resolve("bob"));
    Files.writeString(dir.resolve("good"), bob.allowedSigner("bob@example.com") + "\n");
    Files.writeString(dir.resolve("garbled"), bob.allowedSigner("bob@example.com") + "\n"
        + "alice@example.com namespaces=\"git\" ssh-ed25519 not-base64-at-all\n");
    Files.writeString(dir.resolve("empty"), "# nobody yet\n\n");
    List<String> problems = problems("""
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        repos:
          - name: a
            url: https://git.example.com/a.git
            signatures:
              verify: warn
              sshAllowedSigners:
                - %s
                - %s
                - %s
        """.formatted(dir.resolve("good"), dir.resolve("garbled"), dir.resolve("empty")));
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("paved.yaml:10:11: error: the allowed-signers file " + dir.resolve("garbled")
        + " cannot be parsed: problem at line 2: ").contains("each line is principals [namespaces=\"git\"]")
        .doesNotContain("\n");
    assertThat(problems.get(1)).isEqualTo("paved.yaml:11:11: error: the allowed-signers file " + dir.resolve("empty")
        + " names no signer, so no SSH signature would be trusted; each line is principals [namespaces=\"git\"]"
        + " <key type> <base64 key> (see ALLOWED SIGNERS in man ssh-keygen), e.g. alice@example.com"
        + " namespaces=\"git\" ssh-ed25519 AAAA...");
  }

  @Test
  void theDisplayUrlHasNoUserInfo() {
    assertThat(DaemonConfig.repo("a", "https://token@git.example.com/x.git", "main").displayUrl())
        .isEqualTo("https://git.example.com/x.git");
  }
}
