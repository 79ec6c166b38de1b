package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.source.TestSigners;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commit signatures end to end, on the real apiserver and real git with real keys: with
 * {@code verify: enforce} an unsigned head and a head signed by an unknown key are held (the
 * cluster keeps the last trusted commit), heads signed by a trusted OpenPGP key and by a trusted
 * SSH key are applied, and a revert made through the daemon's API (signed with its own key) is
 * applied; with {@code warn} an unsigned head is applied and reported.
 */
@RealCluster
class SignaturesIT {

  private static final Duration SYNC = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private Daemon daemon;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<DaemonEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private Daemon start(DaemonIT.Remote remote, DaemonConfig.Signatures signatures) {
    DaemonConfig config = DaemonConfig.of(dir.resolve("state"),
        DaemonConfig.repo("platform", remote.url(), "main").withSignatures(signatures))
        .withDefaults(new DaemonConfig.Defaults("main", Duration.ofMillis(300), 8,
            new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2))));
    return Daemon.create(remote.reaching(config), Daemon.Options.defaults().withRegistry(registry)
        .withEvents(events::add)).start();
  }

  private static boolean applied(Daemon d, String environment, String commit) {
    return d.status().targets().stream().anyMatch(t -> t.environment().equals(environment)
        && t.appliedCommit().equals(Optional.of(commit)) && t.sync() == DaemonStatus.SyncState.SYNCED);
  }

  private static Optional<DaemonStatus.Signature> signature(Daemon d, String commit) {
    return d.status().repos().get(0).headSignature().filter(s -> s.commit().equals(commit));
  }

  private static String image(KubernetesClient client, String name) {
    return client.apps().deployments().withName(name).get().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getImage();
  }

  private double counted(String result) {
    var c = registry.find("paved.commit.signatures").tags("repo", "platform", "result", result).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void enforceHoldsUnsignedAndUnknownKeysAndAppliesTrustedOpenPgpSshAndOwnReverts(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    TestSigners.Gpg alice = TestSigners.gpg("Alice <alice@example.com>");
    TestSigners.Gpg mallory = TestSigners.gpg("Mallory <mallory@example.com>");
    TestSigners.Ssh bob = TestSigners.ssh(dir.resolve("id_bob"));
    TestSigners.Ssh daemonKey = TestSigners.ssh(dir.resolve("paved-revert-key"));
    Path aliceKey = alice.write(dir.resolve("alice.asc"));
    Path allowed = Files.writeString(dir.resolve("allowed_signers"), bob.allowedSigner("bob@example.com") + "\n");
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0, signed by alice", Map.of(), alice::sign);
      daemon = start(remote, new DaemonConfig.Signatures(DaemonConfig.Verify.ENFORCE, List.of(aliceKey),
          List.of(allowed), false, Optional.of(daemonKey.privateKey())));
      await(SYNC, "c1 (alice, OpenPGP) applied", () -> applied(daemon, p.environment, c1));
      assertThat(signature(daemon, c1).orElseThrow()).isEqualTo(new DaemonStatus.Signature(c1, "trusted",
          Optional.of("openpgp"), Optional.of("Alice <alice@example.com>"), Optional.of(alice.fingerprint()),
          "signed by Alice <alice@example.com> (openpgp key " + alice.fingerprint() + ")", false));

      // Attack 1: an unsigned commit is held; the cluster keeps c1.
      String c2 = remote.commit(p.service("checkout", "2.0.0"), "checkout 2.0.0, unsigned");
      await(SYNC, "c2 held", () -> signature(daemon, c2).map(DaemonStatus.Signature::held).orElse(false));
      DaemonStatus.Repo repo = daemon.status().repos().get(0);
      assertThat(repo.lastError().orElseThrow().summary()).isEqualTo("commit " + DaemonContext.shortId(c2)
          + " was not applied: unsigned (signatures.verify: enforce); " + DaemonContext.shortId(c1) + " stays applied");
      assertThat(repo.lastGoodCommit()).contains(c1);
      assertThat(signature(daemon, c2).orElseThrow().result()).isEqualTo("unsigned");
      assertThat(events).anySatisfy(e -> {
        assertThat(e.type()).isEqualTo(DaemonEvent.Type.COMMIT_REFUSED);
        assertThat(e.commit()).isEqualTo(c2);
      });

      // Attack 2: signed, but by a key the repo does not trust: held.
      String c3 = remote.commit(p.service("checkout", "3.0.0"), "checkout 3.0.0, signed by mallory", Map.of(),
          mallory::sign);
      await(SYNC, "c3 held", () -> signature(daemon, c3).map(DaemonStatus.Signature::held).orElse(false));
      assertThat(daemon.status().repos().get(0).lastError().orElseThrow().summary()).isEqualTo("commit "
          + DaemonContext.shortId(c3) + " was not applied: signed by an untrusted openpgp key " + mallory.fingerprint()
          + " (mallory@example.com) — its key is not one of the repo's trusted OpenPGP keys (signatures.verify:"
          + " enforce); " + DaemonContext.shortId(c1) + " stays applied");
      // Nothing of c2 or c3 reached the cluster.
      assertThat(image(client, "checkout")).endsWith(":1.0.0");
      assertThat(daemon.status().targets()).singleElement().satisfies(t ->
          assertThat(t.appliedCommit()).contains(c1));
      assertThat(counted("unsigned")).isEqualTo(1.0);
      assertThat(counted("untrusted")).isEqualTo(1.0);

      // Signed by a trusted SSH key: applied.
      String c4 = remote.commit(p.service("checkout", "4.0.0"), "checkout 4.0.0, signed by bob", Map.of(), bob::sign);
      await(SYNC, "c4 (bob, SSH) applied", () -> applied(daemon, p.environment, c4));
      assertThat(image(client, "checkout")).endsWith(":4.0.0");
      DaemonStatus.Signature s4 = signature(daemon, c4).orElseThrow();
      assertThat(s4.result()).isEqualTo("trusted");
      assertThat(s4.format()).contains("ssh");
      assertThat(s4.signer()).contains("bob@example.com");
      assertThat(daemon.status().repos().get(0).lastError()).isEmpty();
      assertThat(counted("trusted")).isEqualTo(2.0);

      // The daemon's own revert (rollback API) is signed with its key and applied.
      DaemonApi.RevertOutcome r = daemon.revert("platform", c4, "4.0.0 breaks checkout", "Tester <t@example.com>")
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      await(SYNC, "the signed revert applied", () -> applied(daemon, p.environment, r.revertCommit()));
      assertThat(signature(daemon, r.revertCommit()).orElseThrow().signer()).contains("paved");
      assertThat(image(client, "checkout")).endsWith(":3.0.0");
    }
  }

  @Test
  void warnAppliesAnUnsignedHeadAndReportsIt(KubernetesClient client, ControlPlane cluster) throws Exception {
    TestSigners.Gpg alice = TestSigners.gpg("Alice <alice@example.com>");
    Path aliceKey = alice.write(dir.resolve("alice.asc"));
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0, unsigned");
      daemon = start(remote, new DaemonConfig.Signatures(DaemonConfig.Verify.WARN, List.of(aliceKey), List.of(),
          false, Optional.empty()));
      await(SYNC, "c1 applied despite being unsigned", () -> applied(daemon, p.environment, c1));
      assertThat(image(client, "checkout")).endsWith(":1.0.0");
      assertThat(signature(daemon, c1).orElseThrow()).isEqualTo(new DaemonStatus.Signature(c1, "unsigned",
          Optional.empty(), Optional.empty(), Optional.empty(), "unsigned", false));
      assertThat(daemon.status().repos().get(0).lastError()).isEmpty();
      assertThat(counted("unsigned")).isEqualTo(1.0);
      assertThat(registry.scrape()).contains("paved_commit_signatures_total{repo=\"platform\",result=\"unsigned\"} 1.0");
    }
  }
}
