package dev.paved.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the control plane is a real Kubernetes apiserver: the behaviours Paved's apply and watch
 * code relies on, none of which a mock server implements.
 */
@RealCluster
class ControlPlaneIT {

  private static final String PAVED = "paved";

  /** The fields {@link #deployment(int)} sets, as managed-fields paths. */
  private static final Set<String> APPLIED_FIELDS =
      Set.of(
          "f:metadata/f:labels/f:app",
          "f:spec/f:replicas",
          "f:spec/f:selector",
          "f:spec/f:template/f:metadata/f:labels/f:app",
          "f:spec/f:template/f:spec/f:containers/k:{\"name\":\"web\"}",
          "f:spec/f:template/f:spec/f:containers/k:{\"name\":\"web\"}/f:image",
          "f:spec/f:template/f:spec/f:containers/k:{\"name\":\"web\"}/f:name");

  @Test
  void reportsTheVersionItWasBuiltFrom(KubernetesClient client, ControlPlane cluster) {
    assertThat(cluster.version()).matches("v1\\.\\d+\\.\\d+");
    assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(cluster.version());
  }

  @Test
  void serverSideApplyRecordsPavedAsOwnerOfExactlyTheAppliedFields(KubernetesClient client) {
    client.resource(deployment(2)).fieldManager(PAVED).serverSideApply();

    Deployment live = client.apps().deployments().withName("web").get();
    ManagedFieldsEntry paved = managedBy(live, PAVED).orElseThrow();
    assertThat(paved.getOperation()).isEqualTo("Apply");
    assertThat(fieldPaths(paved)).isEqualTo(new TreeSet<>(APPLIED_FIELDS));
    // The apiserver defaulted more (strategy, revisionHistoryLimit, ...) but paved owns none of it.
    assertThat(live.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
    assertThat(live.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
        .containsExactly(PAVED);
  }

  @Test
  void aFieldTakenByAnotherManagerConflictsUntilPavedForcesIt(
      KubernetesClient client, ControlPlane cluster) {
    client.resource(deployment(2)).fieldManager(PAVED).serverSideApply();
    try (KubernetesClient ops = cluster.newClient()) {
      ops.apps()
          .deployments()
          .inNamespace(client.getNamespace())
          .withName("web")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.JSON_MERGE)
                  .withFieldManager("ops")
                  .build(),
              "{\"spec\":{\"replicas\":5}}");
    }
    Deployment changed = client.apps().deployments().withName("web").get();
    assertThat(changed.getSpec().getReplicas()).isEqualTo(5);
    assertThat(fieldPaths(managedBy(changed, "ops").orElseThrow())).contains("f:spec/f:replicas");
    assertThat(fieldPaths(managedBy(changed, PAVED).orElseThrow()))
        .doesNotContain("f:spec/f:replicas");

    KubernetesClientException conflict =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> client.resource(deployment(2)).fieldManager(PAVED).serverSideApply());
    assertThat(conflict.getCode()).isEqualTo(409);
    assertThat(conflict.getMessage()).contains("ops").contains(".spec.replicas");
    assertThat(client.apps().deployments().withName("web").get().getSpec().getReplicas())
        .isEqualTo(5);

    Deployment forced =
        client.resource(deployment(2)).fieldManager(PAVED).forceConflicts().serverSideApply();
    assertThat(forced.getSpec().getReplicas()).isEqualTo(2);
    assertThat(fieldPaths(managedBy(forced, PAVED).orElseThrow())).contains("f:spec/f:replicas");
    assertThat(managedBy(forced, "ops").map(ControlPlaneIT::fieldPaths).orElse(Set.of()))
        .doesNotContain("f:spec/f:replicas");
  }

  @Test
  void dryRunApplyReturnsTheDefaultedObjectWithoutPersistingIt(KubernetesClient client) {
    Deployment dryRun = client.resource(deployment(3)).dryRun().fieldManager(PAVED).serverSideApply();

    assertThat(dryRun.getSpec().getReplicas()).isEqualTo(3);
    assertThat(dryRun.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(dryRun.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
    assertThat(dryRun.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
    var container = dryRun.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(container.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
    assertThat(dryRun.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Always");

    assertThat(client.apps().deployments().withName("web").get()).isNull();
    assertThat(client.apps().deployments().list().getItems()).isEmpty();
  }

  @Test
  void aLabelSelectedWatchSeesWhatAnotherClientChanges(
      KubernetesClient client, ControlPlane cluster) throws InterruptedException {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    String namespace = client.getNamespace();
    Watcher<ConfigMap> recorder =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, ConfigMap cm) {
            events.add(action + " " + cm.getMetadata().getName() + " " + cm.getData());
          }

          @Override
          public void onClose(WatcherException cause) {
            events.add("CLOSED " + cause);
          }
        };
    // watch() returns once the watch is established, so no event below can be missed.
    Watch watch = client.configMaps().withLabel("app", "watched").watch(recorder);
    try (KubernetesClient writer = cluster.newClient()) {
      // Created first, so an unfiltered watch would report it first: the selector must skip it.
      writer.resource(configMap("ignored", "other", "1")).inNamespace(namespace).create();
      writer.resource(configMap("seen", "watched", "1")).inNamespace(namespace).create();
      assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo("ADDED seen {v=1}");

      writer
          .configMaps()
          .inNamespace(namespace)
          .withName("seen")
          .edit(cm -> new ConfigMapBuilder(cm).addToData("v", "2").build());
      assertThat(events.poll(30, TimeUnit.SECONDS)).isEqualTo("MODIFIED seen {v=2}");
      assertThat(events).isEmpty();
    } finally {
      watch.close();
    }
  }

  @Test
  void anInvalidObjectIsRejectedWith422NamingTheField(KubernetesClient client) {
    KubernetesClientException invalid =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> client.resource(deployment(-1)).fieldManager(PAVED).serverSideApply());

    assertThat(invalid.getCode()).isEqualTo(422);
    assertThat(invalid.getStatus().getReason()).isEqualTo("Invalid");
    assertThat(invalid.getMessage()).contains("spec.replicas");
    assertThat(invalid.getStatus().getDetails().getCauses())
        .extracting(StatusCause::getField)
        .containsExactly("spec.replicas");
    assertThat(client.apps().deployments().withName("web").get()).isNull();
  }

  private static Deployment deployment(int replicas) {
    Map<String, String> labels = Map.of("app", "web");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("nginx:1.27")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ConfigMap configMap(String name, String app, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", app)
        .endMetadata()
        .addToData("v", value)
        .build();
  }

  private static Optional<ManagedFieldsEntry> managedBy(Deployment deployment, String manager) {
    return deployment.getMetadata().getManagedFields().stream()
        .filter(entry -> entry.getManager().equals(manager))
        .findFirst();
  }

  /**
   * The leaf paths of a managed-fields entry ({@code f:spec/f:replicas}); a path whose node is
   * owned itself, and has children, appears with and without them (the {@code "."} key).
   */
  private static Set<String> fieldPaths(ManagedFieldsEntry entry) {
    Set<String> paths = new TreeSet<>();
    collect("", entry.getFieldsV1().getAdditionalProperties(), paths);
    return paths;
  }

  private static void collect(String prefix, Map<?, ?> node, Set<String> paths) {
    node.forEach(
        (key, child) -> {
          if (".".equals(key)) {
            paths.add(prefix);
          } else {
            String path = prefix.isEmpty() ? key.toString() : prefix + "/" + key;
            if (child instanceof Map<?, ?> map && !map.isEmpty()) {
              collect(path, map, paths);
            } else {
              paths.add(path);
            }
          }
        });
  }
}
