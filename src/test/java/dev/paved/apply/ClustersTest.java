package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.config.Declarations.Cluster;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the connections of whoever runs Paved (never the config repo) become a Fabric8 configuration. */
class ClustersTest {

  @TempDir
  Path dir;
  Path kubeconfig;
  Path other;

  private static final Cluster MAIN = Cluster.named("main");

  private static String kubeconfig(String current, String... contextAndServer) {
    StringBuilder b = new StringBuilder("apiVersion: v1\nkind: Config\ncurrent-context: " + current + "\nclusters:\n");
    for (int i = 0; i < contextAndServer.length; i += 2) {
      b.append("- name: ").append(contextAndServer[i]).append("\n  cluster:\n    server: ")
          .append(contextAndServer[i + 1]).append('\n');
    }
    b.append("users:\n- name: u\n  user:\n    token: t\ncontexts:\n");
    for (int i = 0; i < contextAndServer.length; i += 2) {
      b.append("- name: ").append(contextAndServer[i]).append("\n  context:\n    cluster: ")
          .append(contextAndServer[i]).append("\n    user: u\n");
    }
    return b.toString();
  }

  @BeforeEach
  void files() throws Exception {
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, kubeconfig("a", "a", "https://a.example:6443", "b", "https://b.example:6443"));
    other = dir.resolve("other");
    Files.writeString(other, kubeconfig("c", "c", "https://c.example:6443"));
  }

  @Test
  void aKubeconfigItsCurrentContextByDefaultWithShortTimeouts() {
    Config c = Clusters.config(MAIN, Clusters.Connections.of(kubeconfig, "b"));
    assertThat(c.getMasterUrl()).startsWith("https://b.example:6443");
    assertThat(c.getConnectionTimeout()).isEqualTo(10_000);
    assertThat(c.getRequestRetryBackoffLimit()).isLessThanOrEqualTo(1);

    assertThat(Clusters.config(MAIN, Clusters.Connections.of(kubeconfig, null)).getMasterUrl())
        .as("the current context by default").startsWith("https://a.example:6443");
  }

  @Test
  void eachClusterAsItsConnectionSaysAndTheOthersByTheFallback() {
    Clusters.Connections connections = new Clusters.Connections(
        Map.of("far", Clusters.Connection.kubeconfig(other, null),
            "token", Clusters.Connection.token("https://t.example:6443", kubeconfig, null)),
        Clusters.Connection.kubeconfig(kubeconfig, "b"));
    assertThat(Clusters.config(Cluster.named("far"), connections).getMasterUrl()).startsWith("https://c.example");
    assertThat(Clusters.config(Cluster.named("token"), connections).getMasterUrl()).startsWith("https://t.example");
    assertThat(Clusters.config(MAIN, connections).getMasterUrl()).startsWith("https://b.example");
  }

  @Test
  void problemsAreClearErrors() {
    assertThatThrownBy(() -> Clusters.config(MAIN, Clusters.Connections.of(kubeconfig, "nope")))
        .isInstanceOf(Clusters.ClusterException.class).hasMessageContaining("has no context \"nope\"");
    assertThatThrownBy(() -> Clusters.config(MAIN, Clusters.Connections.of(dir.resolve("missing"), null)))
        .isInstanceOf(Clusters.ClusterException.class)
        .hasMessage("cluster \"main\": cannot read kubeconfig " + dir.resolve("missing") + ": no such file");
    if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
      assertThatThrownBy(() -> Clusters.config(MAIN,
          new Clusters.Connections(Map.of(), Clusters.Connection.serviceAccount())))
          .isInstanceOf(Clusters.ClusterException.class).hasMessageContaining("not running in a pod");
    }
  }

  @Test
  void anUnparsableKubeconfigIsReportedByPathNeverByItsContent() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken"), "apiVersion: v1\nusers: [{name: u, user: {token: "
        + "s3cr3t-t0ken\nclusters: {{{\n");
    assertThatThrownBy(() -> Clusters.config(MAIN, Clusters.Connections.of(broken, null)))
        .isInstanceOf(Clusters.ClusterException.class)
        .hasMessage("cluster \"main\": kubeconfig " + broken + " is not a valid kubeconfig (a YAML file with "
            + "clusters, users and contexts)")
        .hasNoCause();
    Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 's', 'e', 'c'});
    assertThatThrownBy(() -> Clusters.config(MAIN, Clusters.Connections.of(binary, null)))
        .hasMessage("cluster \"main\": cannot read kubeconfig " + binary + ": not a text file");
  }

  @Test
  void oneClientPerCluster() {
    try (Clusters clusters = new Clusters(Clusters.Connections.of(kubeconfig, null))) {
      var first = clusters.client(MAIN);
      assertThat(clusters.client(MAIN)).isSameAs(first);
      assertThat(clusters.client(Cluster.named("other"))).isNotSameAs(first);
    }
  }
}
