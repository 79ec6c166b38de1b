package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic rollback ({@code onDegraded: {revert: true, after: ...}}) end to end: the control
 * plane has no controllers, so the test drives the Deployment's status to "progress deadline
 * exceeded"; the daemon then reverts the commit in git (author Paved, reason the health message),
 * tells the listeners, applies the revert (the old image is back), and never reverts the revert.
 */
@RealCluster
class AutoRollbackIT {

  private static final Duration SYNC = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private Daemon daemon;
  private final List<DaemonEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static void degrade(KubernetesClient client, String name) {
    Deployment d = client.apps().deployments().withName(name).get();
    DeploymentCondition stuck = new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
        .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"" + name + "\" has timed out progressing.")
        .build();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(1).withUpdatedReplicas(1).withUnavailableReplicas(1).withConditions(stuck).build());
    client.apps().deployments().resource(d).updateStatus();
  }

  private static boolean applied(Daemon d, String environment, String commit) {
    return d.status().targets().stream().anyMatch(t -> t.environment().equals(environment)
        && t.appliedCommit().equals(Optional.of(commit)) && t.sync() == DaemonStatus.SyncState.SYNCED);
  }

  private static RevCommit head(DaemonIT.Remote remote) {
    try (Git git = Git.open(remote.bare.toFile())) {
      return git.log().add(git.getRepository().resolve("refs/heads/main")).setMaxCount(1).call().iterator().next();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String image(KubernetesClient client, String name) {
    return client.apps().deployments().withName(name).get().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getImage();
  }

  @Test
  void aRolloutStillDegradedAfterTheDeadlineIsRevertedOnceAndTheRevertIsNeverReverted(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0")
        .environmentExtra("onDegraded:\n  revert: true\n  after: 2s\n");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0");
      DaemonConfig config = DaemonConfig.of(dir.resolve("state"), DaemonConfig.repo("platform", remote.url(), "main"))
          .withDefaults(new DaemonConfig.Defaults("main", Duration.ofMillis(500), 8,
              new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2))));
      daemon = Daemon.create(remote.reaching(config),
          Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(300)).withEvents(events::add)).start();
      await(SYNC, "c1 applied", () -> applied(daemon, p.environment, c1));
      String c2 = remote.commit(p.service("checkout", "2.0.0"), "checkout 2.0.0");
      await(SYNC, "c2 applied", () -> applied(daemon, p.environment, c2));
      assertThat(image(client, "checkout")).endsWith(":2.0.0");

      degrade(client, "checkout");
      await(SYNC, "the daemon reverted c2 in git", () -> head(remote).getFullMessage()
          .contains("This reverts commit " + c2));
      RevCommit revert;
      try (Git git = Git.open(remote.bare.toFile())) {
        revert = git.log().add(git.getRepository().resolve("refs/heads/main")).setMaxCount(1).call().iterator().next();
      }
      assertThat(revert.getAuthorIdent().getName()).isEqualTo("Paved");
      assertThat(revert.getFullMessage()).contains("rollout degraded in " + p.environment)
          .contains("progress deadline");
      await(SYNC, "the revert applied: the old image is back", () -> applied(daemon, p.environment,
          revert.getName()) && image(client, "checkout").endsWith(":1.0.0"));
      assertThat(events).anySatisfy(e -> {
        assertThat(e.type()).isEqualTo(DaemonEvent.Type.ROLLBACK_MADE);
        assertThat(e.commit()).isEqualTo(revert.getName());
      });

      // The revert's rollout degrades too: it is reported, never reverted.
      degrade(client, "checkout");
      await(SYNC, "the degraded revert is reported, not reverted", () -> events.stream().anyMatch(e ->
          e.type() == DaemonEvent.Type.HEALTH_DEGRADED && revert.getName().equals(e.commit())
              && e.message().contains("not reverted automatically: the commit is itself a revert")));
      try (Git git = Git.open(remote.bare.toFile())) {
        assertThat(git.getRepository().resolve("refs/heads/main").getName()).isEqualTo(revert.getName());
      }
      assertThat(events).filteredOn(e -> e.type() == DaemonEvent.Type.ROLLBACK_MADE).hasSize(1);
    }
  }
}
