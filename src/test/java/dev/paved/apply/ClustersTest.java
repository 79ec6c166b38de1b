package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.config.Declarations.Cluster;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a cluster declaration and the command-line overrides become a Fabric8 configuration. */
class ClustersTest {

  @TempDir
  Path dir;
  Path kubeconfig;
  Path other;

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

  private Cluster declared(String file, String context) {
    return new Cluster("main", "clusters/main.yaml", false, file, context);
  }

  @Test
  void usesTheDeclaredFileAndContextWithShortTimeouts() {
    Config c = Clusters.config(declared(kubeconfig.toString(), "b"), Clusters.Overrides.none());
    assertThat(c.getMasterUrl()).startsWith("https://b.example:6443");
    assertThat(c.getConnectionTimeout()).isEqualTo(10_000);
    assertThat(c.getRequestRetryBackoffLimit()).isLessThanOrEqualTo(1);

    assertThat(Clusters.config(declared(kubeconfig.toString(), null), null).getMasterUrl())
        .as("the current context by default").startsWith("https://a.example:6443");
  }

  @Test
  void commandLineOverridesTakePrecedence() {
    Cluster c = declared(kubeconfig.toString(), "b");
    assertThat(Clusters.config(c, new Clusters.Overrides(null, "a")).getMasterUrl()).startsWith("https://a.example");
    assertThat(Clusters.config(c, new Clusters.Overrides(other, "c")).getMasterUrl()).startsWith("https://c.example");
    Cluster inCluster = new Cluster("main", "clusters/main.yaml", true, null, null);
    assertThat(Clusters.config(inCluster, new Clusters.Overrides(other, null)).getMasterUrl())
        .startsWith("https://c.example");
  }

  @Test
  void problemsAreClearErrors() {
    assertThatThrownBy(() -> Clusters.config(declared(kubeconfig.toString(), "nope"), null))
        .isInstanceOf(Clusters.ClusterException.class).hasMessageContaining("has no context \"nope\"");
    assertThatThrownBy(() -> Clusters.config(declared(dir.resolve("missing").toString(), null), null))
        .isInstanceOf(Clusters.ClusterException.class).hasMessageContaining("cannot read kubeconfig")
        .hasMessageContaining("no such file");
    if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
      assertThatThrownBy(() -> Clusters.config(new Cluster("main", "f", true, null, null), null))
          .isInstanceOf(Clusters.ClusterException.class).hasMessageContaining("not running in a pod");
    }
  }

  @Test
  void oneClientPerCluster() {
    try (Clusters clusters = new Clusters(new Clusters.Overrides(kubeconfig, null))) {
      var first = clusters.client(declared(null, "a"));
      assertThat(clusters.client(declared(null, "a"))).isSameAs(first);
      assertThat(clusters.client(new Cluster("other", "f", false, null, "b"))).isNotSameAs(first);
    }
  }
}
