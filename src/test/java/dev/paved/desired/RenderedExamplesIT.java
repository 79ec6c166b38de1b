package dev.paved.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.DirectorySource;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every object rendered from {@code examples/platform}, in every environment, is accepted by a
 * real kube-apiserver (server-side dry-run apply after creating the namespaces): the renderer
 * produces valid Kubernetes, not merely valid-looking YAML.
 */
@RealCluster
class RenderedExamplesIT {

  @Test
  void everyRenderedExampleObjectPassesServerSideDryRun(KubernetesClient client) throws Exception {
    Evaluation e = Evaluator.evaluate(DirectorySource.read(Path.of("examples/platform")));
    assertThat(e.blocked()).as(e.problems().toString()).isFalse();
    List<String> refused = new ArrayList<>();
    int checked = 0;
    for (EnvironmentState env : e.desired().orElseThrow().environments().values()) {
      for (DesiredObject o : env.objects()) {
        GenericKubernetesResource r = Manifests.toTyped(o.manifest(), GenericKubernetesResource.class);
        try {
          if (o.key().kind().equals("Namespace")) {
            client.resource(r).fieldManager("paved").serverSideApply();
          } else {
            GenericKubernetesResource dry = client.resource(r).dryRun().fieldManager("paved").serverSideApply();
            assertThat(dry.getMetadata().getName()).isEqualTo(o.key().name());
          }
          checked++;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException ex) {
          refused.add(env.environment() + " " + o.key() + ": " + ex.getMessage());
        }
      }
    }
    assertThat(refused).isEmpty();
    assertThat(checked).isGreaterThan(90);
    // Dry-run persisted nothing.
    assertThat(client.apps().deployments().inNamespace("payments-prod").withName("checkout").get()).isNull();
  }
}
