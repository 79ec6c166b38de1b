package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.Clusters;
import dev.paved.pipeline.Evaluation;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-cluster: each target on its own client; a cluster that never answers holds back no one. */
@RealCluster
class PlatformSyncIT {

  @Test
  void aSilentClusterDoesNotBlockTheReachableOne(KubernetesClient client, ControlPlane cp, @TempDir Path tmp)
      throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept()); // accept and never answer: a hung apiserver
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Path farConfig = Files.writeString(tmp.resolve("far-kubeconfig"), """
          apiVersion: v1
          kind: Config
          clusters:
            - name: far
              cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
          users:
            - name: far
              user: {token: not-a-secret}
          contexts:
            - name: far
              context: {cluster: far, user: far}
          current-context: far
          """.formatted(silent.getLocalPort()));

      String ns = client.getNamespace();
      LivePlatform near = new LivePlatform(ns).service("api", "1.0.0");
      String far = near.environment + "-far";
      var files = near.fixtures()
          .file("clusters/far.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Cluster\n")
          .file("environments/" + far + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: dev\n"
              + "cluster: far\nnamespace: " + ns + "\ncreateNamespaces: false\n")
          .tree().files();
      Evaluation e = dev.paved.pipeline.Evaluator.evaluate(new dev.paved.source.ConfigTree("c1", files));
      assertThat(e.blocked()).as(e.problems().toString()).isFalse();

      ExecutorService targets = Executors.newFixedThreadPool(4);
      ExecutorService applies = Executors.newFixedThreadPool(4);
      Clusters.Connections connections = new Clusters.Connections(
          Map.of("main", Clusters.Connection.kubeconfig(cp.kubeconfig(), null),
              "far", Clusters.Connection.kubeconfig(farConfig, null)), Clusters.Connection.kubeconfig(null, null));
      try (Clusters clusters = new Clusters(connections)) {
        Map<String, CompletableFuture<TargetSync.Result>> running = PlatformSync.start(e.platform().orElseThrow(),
            e.desired().orElseThrow(), clusters, targets, applies, Duration.ofSeconds(8), TargetSync.Options.defaults());

        TargetSync.Result nearResult = running.get(near.environment).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(nearResult.synced()).as(nearResult.toString()).isTrue();
        assertThat(running.get(far)).as("the silent cluster is still pending when the near one is done").isNotDone();
        assertThat(client.apps().deployments().inNamespace(ns).withName("api").get()).isNotNull();

        TargetSync.Result farResult = running.get(far).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(farResult.synced()).isFalse();
        assertThat(farResult.error()).get().asString().contains("far");
      } finally {
        targets.shutdownNow();
        applies.shutdownNow();
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }
}
