package dev.paved.reconcile;

import dev.paved.apply.Clusters;
import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.reconcile.DaemonStatus.SyncState;
import dev.paved.source.SourceFile;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon core on the real apiserver, following a bare git repo in a temp dir: good commits
 * are applied minimally, blocked commits (schema errors, enforced policies) change nothing and
 * show in the status, the next good commit is applied.
 */
@RealCluster
class DaemonIT {

  private static final Duration FIRST_SYNC = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  /** A bare repo (the remote the daemon fetches) and a work tree that commits and pushes to it. */
  static final class Remote implements AutoCloseable {
    final Path bare;
    final Path workTree;
    final Git work;
    final Path kubeconfig;

    Remote(Path dir, Path kubeconfig) throws Exception {
      this.kubeconfig = kubeconfig;
      bare = dir.resolve("remote.git");
      Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
      workTree = dir.resolve("work");
      work = Git.init().setInitialBranch("main").setDirectory(workTree.toFile()).call();
    }

    String url() {
      return bare.toUri().toString();
    }

    /** {@code config} reaching every cluster through this remote's kubeconfig, and {@code others} as given. */
    DaemonConfig reaching(DaemonConfig config, Map<String, Clusters.Connection> others) {
      return config.withClusters(new Clusters.Connections(others, Clusters.Connection.kubeconfig(kubeconfig, null)));
    }

    DaemonConfig reaching(DaemonConfig config) {
      return reaching(config, Map.of());
    }

    /** Commits the platform's files (with {@code replace} replacing or adding files) and pushes; the commit id. */
    String commit(LivePlatform p, String message, Map<String, String> replace) throws Exception {
      return commit(p, message, replace, c -> c);
    }

    /** As {@link #commit(LivePlatform, String, Map)}, the commit command set up by {@code sign} (e.g. to sign it). */
    String commit(LivePlatform p, String message, Map<String, String> replace,
        java.util.function.UnaryOperator<org.eclipse.jgit.api.CommitCommand> sign) throws Exception {
      try (Stream<Path> walk = Files.walk(workTree)) {
        walk.sorted(Comparator.reverseOrder()).filter(f -> !f.equals(workTree) && !f.startsWith(workTree.resolve(".git")))
            .forEach(f -> f.toFile().delete());
      }
      Map<String, String> files = new LinkedHashMap<>();
      for (SourceFile f : p.fixtures().tree().files().values()) {
        files.put(f.path(), new String(f.bytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
      files.putAll(replace);
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path f = workTree.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        Files.writeString(f, e.getValue());
      }
      work.add().addFilepattern(".").call();
      work.add().setUpdate(true).addFilepattern(".").call();
      PersonIdent me = new PersonIdent("Test", "test@example.com");
      RevCommit c = sign.apply(work.commit().setMessage(message).setAuthor(me).setCommitter(me).setAllowEmpty(true))
          .call();
      work.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
          .setForce(true).call();
      return c.getName();
    }

    String commit(LivePlatform p, String message) throws Exception {
      return commit(p, message, Map.of());
    }

    @Override
    public void close() {
      work.close();
    }
  }

  private Daemon start(Remote remote) {
    return start(remote, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2)));
  }

  private Daemon start(Remote remote, DaemonConfig.Retry retry) {
    return start(remote, retry, false);
  }

  private Daemon start(Remote remote, DaemonConfig.Retry retry, boolean pruneRemovedEnvironments) {
    DaemonConfig config = DaemonConfig.of(dir.resolve("state"), DaemonConfig.repo("platform", remote.url(), "main")
            .withPruneRemovedEnvironments(pruneRemovedEnvironments))
        .withDefaults(new DaemonConfig.Defaults("main", Duration.ofMinutes(1), 8, retry));
    daemon = Daemon.create(remote.reaching(config), Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(500)));
    return daemon.start();
  }

  private static DaemonStatus.Target target(Daemon d, String environment) {
    return d.status().targets().stream().filter(t -> t.environment().equals(environment)).findFirst().orElse(null);
  }

  private static DaemonStatus.Repo repo(Daemon d) {
    return d.status().repos().get(0);
  }

  private static boolean appliedAt(Daemon d, String environment, String commit) {
    DaemonStatus.Target t = target(d, environment);
    return t != null && t.appliedCommit().equals(Optional.of(commit)) && t.sync() == SyncState.SYNCED;
  }

  /** resourceVersion of every object of the namespace Paved manages, by {@code Kind/name}. */
  private static Map<String, String> versions(KubernetesClient client) {
    Map<String, String> out = new TreeMap<>();
    List<? extends HasMetadata> all = Stream.of(client.apps().deployments().list().getItems(),
        client.services().list().getItems(), client.serviceAccounts().list().getItems())
        .flatMap(List::stream).filter(o -> o.getMetadata().getLabels() != null
            && "paved".equals(o.getMetadata().getLabels().get("app.kubernetes.io/managed-by"))).toList();
    all.forEach(o -> out.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    return out;
  }

  private static String image(KubernetesClient client, String deployment) {
    return client.apps().deployments().withName(deployment).get().getSpec().getTemplate().getSpec().getContainers()
        .get(0).getImage();
  }

  private double counter(String name, String environment) {
    var c = daemon.metrics().find(name).tags("repo", "platform", "environment", environment).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void appliesTheFirstCommitThenOnlyWhatANewCommitChanges(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0").service("payments", "2.0.0");
    String env = p.environment;
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "first");
      Daemon d = start(remote);

      await(FIRST_SYNC, "the first commit is synced", () -> appliedAt(d, env, c1));
      assertThat(d.ready()).isTrue();
      Map<String, String> before = versions(client);
      assertThat(before).containsOnlyKeys("Deployment/checkout", "Deployment/payments", "Service/checkout",
          "Service/payments", "ServiceAccount/checkout", "ServiceAccount/payments");
      assertThat(image(client, "checkout")).isEqualTo("registry.example.com/payments/checkout:1.0.0");

      DaemonStatus status = d.status();
      assertThat(status.repos()).singleElement().satisfies(r -> {
        assertThat(r.headCommit()).contains(c1);
        assertThat(r.lastGoodCommit()).contains(c1);
        assertThat(r.lastError()).isEmpty();
        assertThat(r.lastFetch()).isPresent();
      });
      assertThat(target(d, env)).satisfies(t -> {
        assertThat(t.cluster()).isEqualTo("main");
        assertThat(t.changes()).containsEntry("created", 6L);
        assertThat(t.lastError()).isEmpty();
        assertThat(t.lastSync()).isPresent();
      });
      // From the watch cache. No controller manager: Deployments never roll out, so the target
      // stays progressing.
      await("health is assessed from the watch cache", () -> target(d, env).health().equals("progressing"));
      assertThat(target(d, env).healthMessage()).contains("progressing");
      assertThat(status.services()).extracting(DaemonStatus.ServiceInEnvironment::service,
          DaemonStatus.ServiceInEnvironment::sync, DaemonStatus.ServiceInEnvironment::commit)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("checkout", SyncState.SYNCED, Optional.of(c1)),
              org.assertj.core.groups.Tuple.tuple("payments", SyncState.SYNCED, Optional.of(c1)));

      assertThat(counter("paved.objects.applied", env)).isEqualTo(6);
      assertThat(counter("paved.objects.failed", env)).isZero();
      String scrape = d.metrics().scrape();
      assertThat(scrape).contains("paved_reconcile_duration_seconds_count{environment=\"" + env + "\",repo=\"platform\"}")
          .contains("paved_last_successful_sync_timestamp_seconds{environment=\"" + env + "\",repo=\"platform\"}")
          .contains("paved_build_info{version=").contains("paved_policy_violations{repo=\"platform\"} 0");
      var lastSync = d.metrics().find("paved.last.successful.sync.timestamp.seconds").tag("environment", env).gauge();
      assertThat(lastSync.value()).isGreaterThan(0);

      // A new version of one service: only its Deployment is written.
      p.service("checkout", "1.1.0");
      String c2 = remote.commit(p, "checkout 1.1.0");
      d.refresh("platform").toCompletableFuture().get();
      await("the second commit is synced", () -> appliedAt(d, env, c2));
      Map<String, String> after = versions(client);
      assertThat(image(client, "checkout")).isEqualTo("registry.example.com/payments/checkout:1.1.0");
      assertThat(after.get("Deployment/checkout")).isNotEqualTo(before.get("Deployment/checkout"));
      Map<String, String> othersBefore = new TreeMap<>(before);
      Map<String, String> othersAfter = new TreeMap<>(after);
      othersBefore.remove("Deployment/checkout");
      othersAfter.remove("Deployment/checkout");
      assertThat(othersAfter).isEqualTo(othersBefore);
      assertThat(target(d, env).changes()).containsEntry("configured", 1L).containsEntry("unchanged", 5L);
      assertThat(counter("paved.objects.applied", env)).isEqualTo(7);

      // Refreshing with nothing new changes nothing and reconciles nothing.
      d.refresh("platform").toCompletableFuture().get();
      assertThat(versions(client)).isEqualTo(after);
      assertThat(reconciles(env)).isEqualTo(2);

      // Between commits, an edit of a managed field is taken back (drift: correct).
      try (KubernetesClient other = cluster.newClient()) {
        other.apps().deployments().inNamespace(client.getNamespace()).withName("payments").patch(
            new PatchContext.Builder().withPatchType(PatchType.STRATEGIC_MERGE).withFieldManager("kubectl-edit")
                .build(), "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"payments\","
                + "\"image\":\"evil.example.com/payments:6.6.6\"}]}}}}");
      }
      await("the edited image is restored", () -> image(client, "payments")
          .equals("registry.example.com/payments/payments:2.0.0"));
      await("the correction is counted", () -> counter("paved.drift.corrected", env) >= 1);
      assertThat(counter("paved.drift.detected", env)).isGreaterThanOrEqualTo(1);
      assertThat(target(d, env).drift()).anySatisfy(drift -> {
        assertThat(drift.object()).contains("Deployment").contains("payments");
        assertThat(drift.fields()).contains("/spec/template/spec/containers/0/image");
        assertThat(drift.managers()).containsExactly("kubectl-edit");
        assertThat(drift.corrected()).isTrue();
      });

      // The periodic full reconcile of an unchanged cluster writes nothing.
      Map<String, String> corrected = versions(client);
      d.resync();
      await("the resync ran", () -> reconciles(env) == 3);
      assertThat(target(d, env).sync()).isEqualTo(SyncState.SYNCED);
      assertThat(target(d, env).changes()).containsOnly(Map.entry("unchanged", 6L));
      assertThat(versions(client)).isEqualTo(corrected);

      // A service removed from git is pruned.
      p.remove("payments");
      String c3 = remote.commit(p, "remove payments");
      d.refresh("platform").toCompletableFuture().get();
      await("the removal is synced", () -> appliedAt(d, env, c3));
      assertThat(versions(client)).containsOnlyKeys("Deployment/checkout", "Service/checkout",
          "ServiceAccount/checkout");
      assertThat(counter("paved.objects.pruned", env)).isEqualTo(3);
      assertThat(target(d, env).changes()).containsEntry("deleted", 3L);
      assertThat(d.status().services()).extracting(DaemonStatus.ServiceInEnvironment::service)
          .containsExactly("checkout");
    }
  }

  private long reconciles(String environment) {
    var t = daemon.metrics().find("paved.reconcile.duration").tags("repo", "platform", "environment", environment)
        .timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void failuresOutsidePavedAreRetriedShownAndStopNothingElse(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    String env = p.environment;
    String down = "down-" + ns.substring(ns.lastIndexOf('-') + 1);
    Path deadKubeconfig = Files.writeString(dir.resolve("dead-kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: dead
          cluster:
            server: https://127.0.0.1:1
            insecure-skip-tls-verify: true
        users:
        - name: dead
          user:
            token: not-a-secret
        contexts:
        - name: dead
          context:
            cluster: dead
            user: dead
        current-context: dead
        """);
    Map<String, String> extra = Map.of(
        "clusters/dead.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Cluster
            """,
        "environments/" + down + ".yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: dead
            namespace: %s
            createNamespaces: false
            """.formatted(ns));
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "two environments, one on a dead cluster", extra);
      DaemonConfig config = DaemonConfig.of(dir.resolve("state"),
              DaemonConfig.repo("platform", remote.url(), "main"),
              DaemonConfig.repo("missing", dir.resolve("no-such-repo.git").toUri().toString(), "main"))
          .withDefaults(new DaemonConfig.Defaults("main", Duration.ofMinutes(1), 8,
              new DaemonConfig.Retry(Duration.ofMillis(100), Duration.ofMillis(500))));
      daemon = Daemon.create(remote.reaching(config,
          Map.of("dead", Clusters.Connection.kubeconfig(deadKubeconfig, null)))).start();
      Daemon d = daemon;

      await(FIRST_SYNC, "the reachable target is synced", () -> appliedAt(d, env, c1));
      await("the dead cluster's target is retried", () -> {
        var t = d.metrics().find("paved.reconcile.errors").tags("repo", "platform", "environment", down).counter();
        return t != null && t.count() >= 3;
      });
      assertThat(target(d, down)).satisfies(t -> {
        assertThat(t.sync()).isIn(SyncState.FAILED, SyncState.SYNCING);
        assertThat(t.appliedCommit()).isEmpty();
        assertThat(t.cluster()).isEqualTo("dead");
      });
      await("the failure is in the status", () -> target(d, down).lastError()
          .map(e -> e.contains("cannot reach cluster \"dead\"")).orElse(false));

      await("the missing repo is retried", () -> {
        var c = d.metrics().find("paved.git.fetch.errors").tag("repo", "missing").counter();
        return c != null && c.count() >= 3;
      });
      DaemonStatus.Repo missing = d.status().repos().stream().filter(r -> r.name().equals("missing")).findFirst()
          .orElseThrow();
      assertThat(missing.headCommit()).isEmpty();
      assertThat(missing.lastError()).hasValueSatisfying(e -> {
        assertThat(e.commit()).isEmpty();
        assertThat(e.summary()).startsWith("cannot fetch branch main of ");
      });
      assertThat(d.ready()).isFalse();
      assertThat(d.status().ready()).isFalse();
      assertThat(target(d, env).sync()).isEqualTo(SyncState.SYNCED);

      // close() returns promptly although retries are pending.
      long start = System.nanoTime();
      d.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aBlockedCommitChangesNothingAndTheNextGoodOneIsApplied(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0").service("payments", "2.0.0");
    String env = p.environment;
    Map<String, String> policy = Map.of("policies/allowed-registries.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: allowed-registries
        enforcement: enforce
        parameters:
          registries:
            - registry.example.com/
        """);
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "first", policy);
      Daemon d = start(remote);
      await(FIRST_SYNC, "the first commit is synced", () -> appliedAt(d, env, c1));
      Map<String, String> before = versions(client);

      // A schema error: nothing is applied, the status says where.
      Map<String, String> broken = new LinkedHashMap<>(policy);
      broken.put("services/payments/service.yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: Service
          team: payments
          image:
            repository: registry.example.com/payments/payments
            tag: "2.1.0"
          replcas: 3
          ports:
            - name: http
              port: 8080
          """);
      String c2 = remote.commit(p, "broken", broken);
      d.refresh("platform").toCompletableFuture().get();
      DaemonStatus.Repo r = repo(d);
      assertThat(r.headCommit()).contains(c2);
      assertThat(r.lastGoodCommit()).contains(c1);
      assertThat(r.lastError()).hasValueSatisfying(e -> {
        assertThat(e.commit()).contains(c2);
        assertThat(e.summary()).contains("1 error").contains(c1.substring(0, 12) + " stays applied");
        assertThat(e.details()).singleElement().asString()
            .startsWith("services/payments/service.yaml:7:1: error: unknown field \"replcas\"");
      });
      assertThat(target(d, env).appliedCommit()).contains(c1);
      assertThat(versions(client)).isEqualTo(before);
      assertThat(d.ready()).isTrue();

      // The fix is applied.
      p.service("payments", "2.1.0");
      String c3 = remote.commit(p, "fixed", policy);
      d.refresh("platform").toCompletableFuture().get();
      await("the fixed commit is synced", () -> appliedAt(d, env, c3));
      assertThat(repo(d).lastError()).isEmpty();
      assertThat(repo(d).lastGoodCommit()).contains(c3);
      assertThat(image(client, "payments")).isEqualTo("registry.example.com/payments/payments:2.1.0");
      Map<String, String> fixed = versions(client);

      // An enforced policy violation: nothing is applied, the status shows the finding.
      Map<String, String> rogue = new LinkedHashMap<>(policy);
      rogue.put("services/checkout/service.yaml", """
          apiVersion: paved.dev/v1alpha1
          kind: Service
          team: payments
          image:
            repository: docker.io/library/nginx
            tag: "1.27"
          ports:
            - name: http
              port: 8080
          """);
      String c4 = remote.commit(p, "rogue image", rogue);
      d.refresh("platform").toCompletableFuture().get();
      assertThat(repo(d).lastError()).hasValueSatisfying(e -> {
        assertThat(e.commit()).contains(c4);
        assertThat(e.summary()).contains("1 enforced policy violation");
        assertThat(e.details()).singleElement().asString().startsWith("services/checkout/service.yaml:5:")
            .contains("error:").contains("docker.io/library/nginx").contains("allowed-registries");
      });
      assertThat(d.metrics().find("paved.policy.violations").tag("repo", "platform").gauge().value()).isEqualTo(1);
      assertThat(target(d, env).appliedCommit()).contains(c3);
      assertThat(versions(client)).isEqualTo(fixed);
      assertThat(image(client, "checkout")).isEqualTo("registry.example.com/payments/checkout:1.0.0");
    }
  }

  /** A ConfigMap someone else made immutable: Paved's apply of other data is refused until it is gone. */
  private static void immutableSettings(KubernetesClient client) {
    client.configMaps().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
        .withName("checkout-settings").endMetadata().withImmutable(true).addToData("mode", "old").build()).create();
  }

  private static LivePlatform withSettings(LivePlatform p) {
    return p.manifest("checkout", "settings.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: checkout-settings
        data:
          mode: new
        """);
  }

  @Test
  void aPartialTargetIsRetriedWithBackoffWithoutWaitingForTheResync(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    immutableSettings(client);
    LivePlatform p = withSettings(new LivePlatform(client.getNamespace()).service("checkout", "1.0.0"));
    String env = p.environment;
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "settings an immutable ConfigMap refuses");
      Daemon d = start(remote, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(1)));

      await(FIRST_SYNC, "the refused object is in the status", () -> target(d, env) != null
          && target(d, env).lastError().map(e -> e.contains("checkout-settings")).orElse(false));
      await("the partial sync is retried (resync is 5 minutes away)", () -> reconciles(env) >= 3);
      assertThat(target(d, env).sync()).isIn(SyncState.PARTIAL, SyncState.SYNCING);
      assertThat(target(d, env).appliedCommit()).contains(c1);
      assertThat(client.apps().deployments().withName("checkout").get()).isNotNull();

      // The obstacle goes: the next retry applies the object, no commit, no resync.
      client.configMaps().withName("checkout-settings").delete();
      await("the retry syncs the target", () -> appliedAt(d, env, c1));
      assertThat(target(d, env).lastError()).isEmpty();
      assertThat(client.configMaps().withName("checkout-settings").get().getData()).containsEntry("mode", "new");
    }
  }

  @Test
  void aNewerCommitEndsARetryBackoffAndIsReconciledAtOnce(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    immutableSettings(client);
    LivePlatform p = withSettings(new LivePlatform(client.getNamespace()).service("checkout", "1.0.0"));
    String env = p.environment;
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "settings an immutable ConfigMap refuses");
      // The first retry would come in 10 minutes.
      Daemon d = start(remote, new DaemonConfig.Retry(Duration.ofMinutes(10), Duration.ofMinutes(10)));
      await(FIRST_SYNC, "the first commit is partially synced", () -> target(d, env) != null
          && target(d, env).sync() == SyncState.PARTIAL && target(d, env).appliedCommit().equals(Optional.of(c1)));

      p.withoutManifest("checkout", "settings.yaml").service("checkout", "1.1.0");
      String c2 = remote.commit(p, "without the settings, checkout 1.1.0");
      d.refresh("platform").toCompletableFuture().get();
      await(FIRST_SYNC, "the newer commit is synced without waiting for the backoff", () -> appliedAt(d, env, c2));
      assertThat(image(client, "checkout")).isEqualTo("registry.example.com/payments/checkout:1.1.0");
      assertThat(reconciles(env)).isEqualTo(2);
    }
  }

  @Test
  void anEnvironmentRemovedFromGitIsHeldUnlessAllowedThenPrunedAsAWholeEvenAfterARestart(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0").service("payments", "2.0.0");
    String env = p.environment;
    DaemonConfig.Retry retry = new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2));
    dev.paved.apply.InventoryStore inventories = new dev.paved.apply.InventoryStore(client, "paved", "platform");
    try (Remote remote = new Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "first");
      Daemon held = start(remote, retry, false);
      await(FIRST_SYNC, "the first commit is synced", () -> appliedAt(held, env, c1));
      Map<String, String> applied = versions(client);
      assertThat(applied).hasSize(6);

      // Without pruneRemovedEnvironments, the removal is held: nothing is deleted, the status says why.
      String c2 = remote.commit(p.environmentInRepo(false), "the environment goes");
      held.refresh("platform").toCompletableFuture().get();
      await("the removal is held", () -> target(held, env).sync() == SyncState.HELD);
      assertThat(target(held, env).lastError()).hasValueSatisfying(e -> assertThat(e)
          .contains("environment " + env + " is no longer in repo platform")
          .contains("pruneRemovedEnvironments: true").contains("6 objects held")
          .contains("paved-system/" + dev.paved.apply.InventoryStore.name("platform", env)));
      assertThat(target(held, env).changes()).containsEntry("held", 6L);
      assertThat(versions(client)).isEqualTo(applied);
      assertThat(inventories.read(env)).hasValueSatisfying(i -> assertThat(i.objects()).hasSize(6));
      held.close();

      // A daemon allowed to prune, started afresh: the inventory in the cluster says what the
      // environment left behind, and all of it goes, the inventory last.
      Daemon pruning = start(remote, retry, true);
      await(FIRST_SYNC, "the removed environment is pruned", () -> versions(client).isEmpty()
          && inventories.read(env).isEmpty());
      await("the target is gone from the status", () -> target(pruning, env) == null);
      assertThat(repo(pruning).lastGoodCommit()).contains(c2);
      assertThat(counter("paved.objects.pruned", env)).isEqualTo(6);

      // While running: the environment comes back, then leaves again and is pruned at once.
      String c3 = remote.commit(p.environmentInRepo(true), "the environment is back");
      pruning.refresh("platform").toCompletableFuture().get();
      await(FIRST_SYNC, "the environment is synced again", () -> appliedAt(pruning, env, c3));
      assertThat(versions(client)).hasSize(6);
      remote.commit(p.environmentInRepo(false), "the environment goes again");
      pruning.refresh("platform").toCompletableFuture().get();
      await("it is pruned as a whole", () -> versions(client).isEmpty() && inventories.read(env).isEmpty()
          && target(pruning, env) == null);
    }
  }
}
