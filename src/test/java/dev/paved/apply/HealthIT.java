package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.HealthStatus.State;
import dev.paved.desired.Manifests;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Health transitions on a real apiserver. There is no controller manager, so each test plays the
 * controller itself and writes the status subresource, as Strimzi's mock controllers do; {@link
 * Health#assess} then reads the object exactly as the engine does (a generic GET, as a tree).
 */
@RealCluster
class HealthIT {

  private static final String IMAGE = "registry.example.com/x:1";

  @Test
  void deploymentRolloutFromNoStatusToHealthyToDegraded(KubernetesClient client) {
    client.resource(deployment("web", 2, IMAGE)).create();

    HealthStatus created = health(client, "apps/v1", "Deployment", "web");
    assertThat(created.state()).isEqualTo(State.PROGRESSING);
    assertThat(created.message()).isEqualTo("Waiting for the deployment controller to report status.");

    // The controller saw generation 1 and has one new replica, not yet available.
    long generation = live(client, "web").getMetadata().getGeneration();
    client.apps().deployments().withName("web").editStatus(d -> new DeploymentBuilder(d)
        .withNewStatus()
        .withObservedGeneration(generation)
        .withReplicas(1)
        .withUpdatedReplicas(1)
        .withReadyReplicas(0)
        .withAvailableReplicas(0)
        .endStatus()
        .build());
    HealthStatus oneOfTwo = health(client, "apps/v1", "Deployment", "web");
    assertThat(oneOfTwo.state()).isEqualTo(State.PROGRESSING);
    assertThat(oneOfTwo.message()).isEqualTo("Rollout in progress: 1 of 2 replicas updated.");

    // Both updated, one available.
    setReplicas(client, "web", generation, 2, 2, 1);
    HealthStatus oneAvailable = health(client, "apps/v1", "Deployment", "web");
    assertThat(oneAvailable.state()).isEqualTo(State.PROGRESSING);
    assertThat(oneAvailable.message()).isEqualTo("Rollout in progress: 1 of 2 updated replicas available.");

    // Both available.
    setReplicas(client, "web", generation, 2, 2, 2);
    assertThat(health(client, "apps/v1", "Deployment", "web"))
        .isEqualTo(HealthStatus.healthy("2 of 2 replicas available."));

    // A new image: generation 2, not yet observed, although the status still says "complete".
    client.apps().deployments().withName("web").edit(d -> new DeploymentBuilder(d)
        .editSpec().editTemplate().editSpec().editFirstContainer().withImage("registry.example.com/x:2")
        .endContainer().endSpec().endTemplate().endSpec().build());
    long next = live(client, "web").getMetadata().getGeneration();
    assertThat(next).isEqualTo(generation + 1);
    assertThat(health(client, "apps/v1", "Deployment", "web")).isEqualTo(HealthStatus.progressing(
        "Waiting for the deployment controller to observe generation " + next + " (observed " + generation + ")."));

    // The new rollout never progresses: the controller gives up after the progress deadline.
    client.apps().deployments().withName("web").editStatus(d -> new DeploymentBuilder(d)
        .editStatus()
        .withObservedGeneration(next)
        .withReplicas(3)
        .withUpdatedReplicas(1)
        .withReadyReplicas(2)
        .withAvailableReplicas(2)
        .withConditions(condition("Progressing", "False", "ProgressDeadlineExceeded",
            "ReplicaSet \"web-2\" has timed out progressing."))
        .endStatus()
        .build());
    HealthStatus stuck = health(client, "apps/v1", "Deployment", "web");
    assertThat(stuck.state()).isEqualTo(State.DEGRADED);
    assertThat(stuck.message())
        .isEqualTo("The rollout exceeded its progress deadline: ReplicaSet \"web-2\" has timed out progressing.");
    assertThat(live(client, "web").getStatus().getConditions()).extracting(DeploymentCondition::getReason)
        .containsExactly("ProgressDeadlineExceeded");
  }

  @Test
  void jobThatCompletesIsHealthy(KubernetesClient client) {
    client.resource(job("migrate")).create();
    assertThat(health(client, "batch/v1", "Job", "migrate"))
        .isEqualTo(HealthStatus.progressing("Waiting for the job controller to start the job."));

    String start = now();
    client.batch().v1().jobs().withName("migrate").editStatus(j -> new JobBuilder(j)
        .withNewStatus().withStartTime(start).withActive(1).endStatus().build());
    assertThat(health(client, "batch/v1", "Job", "migrate"))
        .isEqualTo(HealthStatus.progressing("The job is running: 1 active, 0 of 1 completions succeeded."));

    // The apiserver requires what the real controller writes: SuccessCriteriaMet before Complete,
    // a completion time, no active pods left.
    client.batch().v1().jobs().withName("migrate").editStatus(j -> new JobBuilder(j)
        .editStatus()
        .withActive(0)
        .withSucceeded(1)
        .withCompletionTime(now())
        .withConditions(
            jobCondition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
            jobCondition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"))
        .endStatus()
        .build());
    assertThat(health(client, "batch/v1", "Job", "migrate"))
        .isEqualTo(HealthStatus.healthy("The job completed: 1 pod succeeded."));
  }

  @Test
  void jobThatFailsIsDegraded(KubernetesClient client) {
    client.resource(job("migrate")).create();
    String start = now();
    client.batch().v1().jobs().withName("migrate").editStatus(j -> new JobBuilder(j)
        .withNewStatus().withStartTime(start).withActive(1).endStatus().build());
    assertThat(health(client, "batch/v1", "Job", "migrate").state()).isEqualTo(State.PROGRESSING);

    client.batch().v1().jobs().withName("migrate").editStatus(j -> new JobBuilder(j)
        .editStatus()
        .withActive(0)
        .withFailed(1)
        .withConditions(
            jobCondition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
            jobCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"))
        .endStatus()
        .build());
    assertThat(health(client, "batch/v1", "Job", "migrate")).isEqualTo(HealthStatus.degraded(
        "The job failed: BackoffLimitExceeded: Job has reached the specified backoff limit."));
  }

  @Test
  void persistentVolumeClaimFromPendingToBoundToLost(KubernetesClient client) {
    client.resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("data").endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
        .endSpec()
        .build()).create();

    // The apiserver itself defaults a new claim's phase to Pending.
    assertThat(client.persistentVolumeClaims().withName("data").get().getStatus().getPhase()).isEqualTo("Pending");
    assertThat(health(client, "v1", "PersistentVolumeClaim", "data"))
        .isEqualTo(HealthStatus.progressing("Waiting for a volume to be bound."));

    client.persistentVolumeClaims().withName("data").editStatus(pvc -> withPhase(pvc, "Bound"));
    assertThat(health(client, "v1", "PersistentVolumeClaim", "data"))
        .isEqualTo(HealthStatus.healthy("Bound to a volume."));

    client.persistentVolumeClaims().withName("data").editStatus(pvc -> withPhase(pvc, "Lost"));
    assertThat(health(client, "v1", "PersistentVolumeClaim", "data"))
        .isEqualTo(HealthStatus.degraded("The bound volume was lost."));
  }

  @Test
  void loadBalancerServiceWaitsForItsAddress(KubernetesClient client) {
    client.resource(new ServiceBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec()
        .withType("LoadBalancer")
        .withSelector(Map.of("app", "web"))
        .addNewPort().withPort(80).endPort()
        .endSpec()
        .build()).create();
    assertThat(health(client, "v1", "Service", "web"))
        .isEqualTo(HealthStatus.progressing("Waiting for a load balancer address."));

    client.services().withName("web").editStatus(s -> new ServiceBuilder(s)
        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("203.0.113.7").withIpMode("VIP").endIngress()
        .endLoadBalancer().endStatus().build());
    assertThat(health(client, "v1", "Service", "web"))
        .isEqualTo(HealthStatus.healthy("Load balancer at 203.0.113.7."));
  }

  @Test
  void anObjectHeldByAFinalizerIsBeingDeletedThenMissing(KubernetesClient client) {
    client.resource(new ConfigMapBuilder()
        .withNewMetadata().withName("settings").withFinalizers("example.com/hold").endMetadata()
        .addToData("a", "b")
        .build()).create();
    assertThat(health(client, "v1", "ConfigMap", "settings")).isEqualTo(HealthStatus.healthy("Exists."));

    client.configMaps().withName("settings").delete();
    assertThat(health(client, "v1", "ConfigMap", "settings"))
        .isEqualTo(HealthStatus.progressing("Being deleted; waiting for finalizers example.com/hold."));

    client.configMaps().withName("settings").edit(cm -> new ConfigMapBuilder(cm)
        .editMetadata().withFinalizers(List.of()).endMetadata().build());
    assertThat(health(client, "v1", "ConfigMap", "settings"))
        .isEqualTo(HealthStatus.missing("Not found in the cluster."));
  }

  @Test
  void aTargetIsAsHealthyAsItsWorstObject(KubernetesClient client) {
    client.resource(deployment("web", 1, IMAGE)).create();
    client.resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata().build()).create();
    long generation = live(client, "web").getMetadata().getGeneration();

    List<String[]> objects = List.of(
        new String[] {"apps/v1", "Deployment", "web"},
        new String[] {"v1", "ConfigMap", "settings"},
        new String[] {"v1", "Secret", "never-created"});
    assertThat(HealthStatus.aggregate(objects.stream().map(o -> health(client, o[0], o[1], o[2])).toList()))
        .isEqualTo(HealthStatus.missing("1 of 3 objects missing: Not found in the cluster."));

    client.resource(new SecretBuilder()
        .withNewMetadata().withName("never-created").endMetadata().build()).create();
    assertThat(HealthStatus.aggregate(objects.stream().map(o -> health(client, o[0], o[1], o[2])).toList()))
        .isEqualTo(HealthStatus.progressing(
            "1 of 3 objects progressing: Waiting for the deployment controller to report status."));

    setReplicas(client, "web", generation, 1, 1, 1);
    assertThat(HealthStatus.aggregate(objects.stream().map(o -> health(client, o[0], o[1], o[2])).toList()))
        .isEqualTo(HealthStatus.healthy("All 3 objects are healthy."));
  }

  // --- helpers -----------------------------------------------------------------------------

  /** Reads the object as the engine's live state does (generic GET, as a tree) and assesses it. */
  private static HealthStatus health(KubernetesClient client, String apiVersion, String kind, String name) {
    GenericKubernetesResource live = client.genericKubernetesResources(apiVersion, kind).withName(name).get();
    return Health.assess(live == null ? null : Manifests.toTree(live));
  }

  private static Deployment live(KubernetesClient client, String name) {
    return client.apps().deployments().withName(name).get();
  }

  /** Plays the deployment controller: replicas = ready here, as the apiserver validates. */
  private static void setReplicas(KubernetesClient client, String name, long observed, int replicas, int updated,
      int available) {
    client.apps().deployments().withName(name).editStatus(d -> new DeploymentBuilder(d)
        .withNewStatus()
        .withObservedGeneration(observed)
        .withReplicas(replicas)
        .withUpdatedReplicas(updated)
        .withReadyReplicas(replicas)
        .withAvailableReplicas(available)
        .endStatus()
        .build());
  }

  private static Deployment deployment(String name, int replicas, String image) {
    Map<String, String> labels = Map.of("app", name);
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName(name).withImage(image).endContainer().endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Job job(String name) {
    return new JobBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec()
        .withCompletions(1)
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer().withName(name).withImage(IMAGE).endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static DeploymentCondition condition(String type, String status, String reason, String message) {
    String now = now();
    return new DeploymentConditionBuilder()
        .withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastUpdateTime(now).withLastTransitionTime(now)
        .build();
  }

  private static JobCondition jobCondition(String type, String reason, String message) {
    String now = now();
    return new JobConditionBuilder()
        .withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(now).withLastTransitionTime(now)
        .build();
  }

  private static PersistentVolumeClaim withPhase(PersistentVolumeClaim pvc, String phase) {
    return new PersistentVolumeClaimBuilder(pvc)
        .editOrNewStatus()
        .withPhase(phase)
        .withAccessModes("ReadWriteOnce")
        .addToCapacity("storage", new Quantity("1Gi"))
        .endStatus()
        .build();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
