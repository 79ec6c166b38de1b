package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.paved.apply.HealthStatus.State;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HealthTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HealthStatus assess(String text) {
    return Health.assess(yaml(text));
  }

  @Nested
  class Any {
    @Test
    void nullIsMissing() {
      assertThat(Health.assess(null).state()).isEqualTo(State.MISSING);
      assertThat(Health.assess(NullNode.getInstance()).state()).isEqualTo(State.MISSING);
      assertThat(Health.assess(null).message()).isEqualTo("Not found in the cluster.");
    }

    @Test
    void anObjectBeingDeletedIsProgressingAndNamesItsFinalizers() {
      HealthStatus h = assess("""
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: c
            deletionTimestamp: "2025-01-01T00:00:00Z"
            finalizers: [example.com/cleanup]
          """);
      assertThat(h.state()).isEqualTo(State.PROGRESSING);
      assertThat(h.message()).isEqualTo("Being deleted; waiting for finalizers example.com/cleanup.");
    }

    @Test
    void deletionWinsOverAHealthyStatus() {
      HealthStatus h = assess("""
          apiVersion: v1
          kind: PersistentVolumeClaim
          metadata: {name: data, deletionTimestamp: "2025-01-01T00:00:00Z"}
          status: {phase: Bound}
          """);
      assertThat(h).isEqualTo(HealthStatus.progressing("Being deleted."));
    }

    @Test
    void unknownKindsAreHealthyOnceTheyExist() {
      assertThat(assess("""
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: c}
          data: {a: b}
          """)).isEqualTo(HealthStatus.healthy("Exists."));
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Widget
          metadata: {name: w, generation: 3}
          status: {phase: Whatever}
          """).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void customResourcesFollowingKstatusConventionsAreBelieved() {
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Widget
          metadata: {name: w, generation: 2}
          status:
            observedGeneration: 1
          """).message()).isEqualTo("Waiting for the controller to observe generation 2 (observed 1).");
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Widget
          metadata: {name: w, generation: 2}
          status:
            observedGeneration: 2
            conditions:
            - {type: Reconciling, status: "True", reason: Provisioning}
          """)).isEqualTo(HealthStatus.progressing("Reconciling: Provisioning."));
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Widget
          metadata: {name: w, generation: 2}
          status:
            observedGeneration: 2
            conditions:
            - {type: Stalled, status: "True", reason: QuotaExceeded, message: no room left}
          """)).isEqualTo(HealthStatus.degraded("Stalled: QuotaExceeded: no room left."));
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Widget
          metadata: {name: w, generation: 2}
          status:
            observedGeneration: 2
            conditions:
            - {type: Stalled, status: "False"}
            - {type: Reconciling, status: "False"}
          """).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void aCustomResourceNamedLikeABuiltInIsNotJudgedAsOne() {
      assertThat(assess("""
          apiVersion: example.com/v1
          kind: Deployment
          metadata: {name: d, generation: 1}
          """)).isEqualTo(HealthStatus.healthy("Exists."));
    }

    @Test
    void anObjectWithoutKindIsUnknown() {
      assertThat(assess("metadata: {name: x}").state()).isEqualTo(State.UNKNOWN);
    }
  }

  @Nested
  class Deployments {
    private static final String HEAD = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, generation: 2}
        spec:
          replicas: 3
        """;

    @Test
    void withoutStatusIsProgressing() {
      HealthStatus h = assess(HEAD);
      assertThat(h.state()).isEqualTo(State.PROGRESSING);
      assertThat(h.message()).isEqualTo("Waiting for the deployment controller to report status.");
      assertThat(assess(HEAD + "status: {}\n").state()).isEqualTo(State.PROGRESSING);
    }

    @Test
    void anUnobservedGenerationIsProgressingEvenIfTheOldOneWasComplete() {
      HealthStatus h = assess(HEAD + """
          status: {observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3}
          """);
      assertThat(h).isEqualTo(HealthStatus.progressing(
          "Waiting for the deployment controller to observe generation 2 (observed 1)."));
    }

    @Test
    void progressDeadlineExceededIsDegraded() {
      HealthStatus h = assess(HEAD + """
          status:
            observedGeneration: 2
            replicas: 4
            updatedReplicas: 1
            availableReplicas: 3
            conditions:
            - type: Progressing
              status: "False"
              reason: ProgressDeadlineExceeded
              message: ReplicaSet "web-7c9" has timed out progressing.
          """);
      assertThat(h.state()).isEqualTo(State.DEGRADED);
      assertThat(h.message())
          .isEqualTo("The rollout exceeded its progress deadline: ReplicaSet \"web-7c9\" has timed out progressing.");
    }

    @Test
    void progressingFalseForAnotherReasonIsNotDegraded() {
      assertThat(assess(HEAD + """
          status:
            observedGeneration: 2
            replicas: 3
            updatedReplicas: 3
            availableReplicas: 3
            conditions:
            - {type: Progressing, status: "False", reason: SomethingElse}
          """).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void fewerUpdatedThanDesiredIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3}
          """)).isEqualTo(HealthStatus.progressing("Rollout in progress: 1 of 3 replicas updated."));
    }

    @Test
    void oldReplicasStillTerminatingIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3}
          """)).isEqualTo(HealthStatus.progressing("Rollout in progress: 1 old replica pending termination."));
    }

    @Test
    void fewerAvailableThanUpdatedIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2}
          """)).isEqualTo(HealthStatus.progressing("Rollout in progress: 2 of 3 updated replicas available."));
    }

    @Test
    void allUpdatedAndAvailableIsHealthy() {
      assertThat(assess(HEAD + """
          status:
            observedGeneration: 2
            replicas: 3
            updatedReplicas: 3
            readyReplicas: 3
            availableReplicas: 3
            conditions:
            - {type: Available, status: "True", reason: MinimumReplicasAvailable}
            - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
          """)).isEqualTo(HealthStatus.healthy("3 of 3 replicas available."));
    }

    @Test
    void replicasDefaultToOne() {
      String noReplicas = """
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, generation: 1}
          spec: {}
          """;
      assertThat(assess(noReplicas + "status: {observedGeneration: 1}\n"))
          .isEqualTo(HealthStatus.progressing("Rollout in progress: 0 of 1 replicas updated."));
      assertThat(assess(noReplicas + "status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1}\n"))
          .isEqualTo(HealthStatus.healthy("1 of 1 replicas available."));
    }

    @Test
    void scaledToZeroIsHealthy() {
      assertThat(assess("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, generation: 5}
          spec: {replicas: 0}
          status: {observedGeneration: 5}
          """)).isEqualTo(HealthStatus.healthy("Scaled to zero."));
    }

    @Test
    void aPausedRolloutSaysSo() {
      HealthStatus h = assess("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, generation: 2}
          spec: {replicas: 2, paused: true}
          status: {observedGeneration: 2, replicas: 2, updatedReplicas: 0, availableReplicas: 2}
          """);
      assertThat(h).isEqualTo(HealthStatus.progressing(
          "Rollout in progress: 0 of 2 replicas updated. The rollout is paused."));
    }

    @Test
    void aReplicaFailureIsNamedWhileProgressing() {
      HealthStatus h = assess(HEAD + """
          status:
            observedGeneration: 2
            conditions:
            - {type: ReplicaFailure, status: "True", reason: FailedCreate, message: exceeded quota}
          """);
      assertThat(h.state()).isEqualTo(State.PROGRESSING);
      assertThat(h.message()).isEqualTo("Rollout in progress: 0 of 3 replicas updated. Pods cannot be created: exceeded quota.");
    }

    @Test
    void unquotedYamlBooleansInConditionsAreUnderstood() {
      assertThat(assess(HEAD + """
          status:
            observedGeneration: 2
            conditions:
            - {type: Progressing, status: False, reason: ProgressDeadlineExceeded}
          """)).isEqualTo(HealthStatus.degraded("The rollout exceeded its progress deadline."));
    }
  }

  @Nested
  class StatefulSets {
    private static final String HEAD = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, generation: 3}
        spec:
          replicas: 3
        """;

    @Test
    void withoutStatusOrWithAStaleGenerationIsProgressing() {
      assertThat(assess(HEAD).message()).isEqualTo("Waiting for the statefulset controller to report status.");
      assertThat(assess(HEAD + "status: {observedGeneration: 2, replicas: 3, readyReplicas: 3}\n").message())
          .isEqualTo("Waiting for the statefulset controller to observe generation 3 (observed 2).");
    }

    @Test
    void notAllReadyIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 3, replicas: 3, readyReplicas: 1, currentRevision: db-1, updateRevision: db-1}
          """)).isEqualTo(HealthStatus.progressing("1 of 3 pods ready."));
    }

    @Test
    void extraPodsTerminatingIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 3, replicas: 5, readyReplicas: 5}
          """)).isEqualTo(HealthStatus.progressing("2 pods pending termination."));
    }

    @Test
    void aRollingUpdateIsProgressingUntilRevisionsMatch() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 3, replicas: 3, readyReplicas: 3, updatedReplicas: 1,
                   currentRevision: db-1, updateRevision: db-2}
          """)).isEqualTo(HealthStatus.progressing("Rolling update in progress: 1 of 3 pods at revision db-2."));
      assertThat(assess(HEAD + """
          status: {observedGeneration: 3, replicas: 3, readyReplicas: 3, updatedReplicas: 3,
                   currentRevision: db-2, updateRevision: db-2}
          """)).isEqualTo(HealthStatus.healthy("3 of 3 pods ready at revision db-2."));
    }

    @Test
    void aPartitionedRolloutIsHealthyOncePodsAboveThePartitionAreUpdated() {
      String partitioned = """
          apiVersion: apps/v1
          kind: StatefulSet
          metadata: {name: db, generation: 3}
          spec:
            replicas: 3
            updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
          """;
      assertThat(assess(partitioned + """
          status: {observedGeneration: 3, replicas: 3, readyReplicas: 3, updatedReplicas: 0,
                   currentRevision: db-1, updateRevision: db-2}
          """).state()).isEqualTo(State.PROGRESSING);
      HealthStatus done = assess(partitioned + """
          status: {observedGeneration: 3, replicas: 3, readyReplicas: 3, updatedReplicas: 1,
                   currentRevision: db-1, updateRevision: db-2}
          """);
      assertThat(done).isEqualTo(HealthStatus.healthy("Partitioned rollout complete: 1 of 3 pods updated (partition 2)."));
    }

    @Test
    void onDeleteIsHealthyOnceReady() {
      HealthStatus h = assess("""
          apiVersion: apps/v1
          kind: StatefulSet
          metadata: {name: db, generation: 3}
          spec: {replicas: 2, updateStrategy: {type: OnDelete}}
          status: {observedGeneration: 3, replicas: 2, readyReplicas: 2, currentRevision: db-1, updateRevision: db-2}
          """);
      assertThat(h.state()).isEqualTo(State.HEALTHY);
      assertThat(h.message()).contains("OnDelete");
    }
  }

  @Nested
  class DaemonSets {
    private static final String HEAD = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, generation: 2}
        spec: {}
        """;

    @Test
    void withoutStatusIsProgressing() {
      assertThat(assess(HEAD).state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(HEAD + "status: {observedGeneration: 1, desiredNumberScheduled: 0}\n").state())
          .isEqualTo(State.PROGRESSING);
    }

    @Test
    void notAllUpdatedOrAvailableIsProgressing() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3}
          """)).isEqualTo(HealthStatus.progressing("Rollout in progress: 2 of 3 pods updated."));
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 1}
          """)).isEqualTo(HealthStatus.progressing("1 of 3 pods available."));
    }

    @Test
    void allUpdatedAndAvailableIsHealthy() {
      assertThat(assess(HEAD + """
          status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}
          """)).isEqualTo(HealthStatus.healthy("3 of 3 pods available."));
      assertThat(assess(HEAD + "status: {observedGeneration: 2, desiredNumberScheduled: 0}\n"))
          .isEqualTo(HealthStatus.healthy("No node needs a pod."));
    }

    @Test
    void onDeleteDoesNotWaitForUpdates() {
      assertThat(assess("""
          apiVersion: apps/v1
          kind: DaemonSet
          metadata: {name: agent, generation: 2}
          spec: {updateStrategy: {type: OnDelete}}
          status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 0, numberAvailable: 3}
          """).state()).isEqualTo(State.HEALTHY);
    }
  }

  @Nested
  class Jobs {
    private static final String HEAD = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, generation: 1}
        spec: {completions: 1}
        """;

    @Test
    void notStartedOrRunningIsProgressing() {
      assertThat(assess(HEAD)).isEqualTo(HealthStatus.progressing("Waiting for the job controller to start the job."));
      assertThat(assess(HEAD + "status: {active: 1, startTime: \"2025-01-01T00:00:00Z\"}\n"))
          .isEqualTo(HealthStatus.progressing("The job is running: 1 active, 0 of 1 completions succeeded."));
    }

    @Test
    void completeIsHealthy() {
      assertThat(assess(HEAD + """
          status:
            succeeded: 1
            conditions:
            - {type: SuccessCriteriaMet, status: "True"}
            - {type: Complete, status: "True"}
          """)).isEqualTo(HealthStatus.healthy("The job completed: 1 pod succeeded."));
    }

    @Test
    void successCriteriaMetAloneIsStillProgressing() {
      assertThat(assess(HEAD + """
          status:
            conditions:
            - {type: SuccessCriteriaMet, status: "True"}
          """).state()).isEqualTo(State.PROGRESSING);
    }

    @Test
    void failedIsDegradedWithTheReason() {
      assertThat(assess(HEAD + """
          status:
            failed: 7
            conditions:
            - {type: FailureTarget, status: "True", reason: BackoffLimitExceeded}
            - type: Failed
              status: "True"
              reason: BackoffLimitExceeded
              message: Job has reached the specified backoff limit
          """)).isEqualTo(HealthStatus.degraded(
              "The job failed: BackoffLimitExceeded: Job has reached the specified backoff limit."));
    }

    @Test
    void failureTargetAloneIsAlreadyDegraded() {
      assertThat(assess(HEAD + """
          status:
            conditions:
            - {type: FailureTarget, status: "True", reason: DeadlineExceeded, message: Job was active longer than specified deadline}
          """).state()).isEqualTo(State.DEGRADED);
    }

    @Test
    void aFalseConditionDoesNotCount() {
      assertThat(assess(HEAD + """
          status:
            active: 1
            conditions:
            - {type: Failed, status: "False"}
          """).state()).isEqualTo(State.PROGRESSING);
    }

    @Test
    void suspendedIsHealthyAndSaysSo() {
      assertThat(assess("""
          apiVersion: batch/v1
          kind: Job
          metadata: {name: migrate}
          spec: {suspend: true}
          """)).isEqualTo(HealthStatus.healthy("The job is suspended; it runs when resumed."));
    }

    @Test
    void cronJobsAreHealthy() {
      assertThat(assess("""
          apiVersion: batch/v1
          kind: CronJob
          metadata: {name: nightly}
          spec: {schedule: "0 3 * * *"}
          """)).isEqualTo(HealthStatus.healthy("Runs on schedule \"0 3 * * *\"; not run yet."));
      assertThat(assess("""
          apiVersion: batch/v1
          kind: CronJob
          metadata: {name: nightly}
          spec: {schedule: "0 3 * * *", suspend: true}
          """).state()).isEqualTo(State.HEALTHY);
    }
  }

  @Nested
  class Services {
    @Test
    void clusterIpIsHealthy() {
      assertThat(assess("""
          apiVersion: v1
          kind: Service
          metadata: {name: web}
          spec: {type: ClusterIP, ports: [{port: 80}]}
          """)).isEqualTo(HealthStatus.healthy("ClusterIP service."));
      assertThat(assess("""
          apiVersion: v1
          kind: Service
          metadata: {name: web}
          spec: {ports: [{port: 80}]}
          """).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void aLoadBalancerWaitsForItsAddress() {
      String lb = """
          apiVersion: v1
          kind: Service
          metadata: {name: web}
          spec: {type: LoadBalancer}
          """;
      assertThat(assess(lb)).isEqualTo(HealthStatus.progressing("Waiting for a load balancer address."));
      assertThat(assess(lb + "status: {loadBalancer: {}}\n").state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(lb + "status: {loadBalancer: {ingress: [{}]}}\n").state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(lb + "status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}\n"))
          .isEqualTo(HealthStatus.healthy("Load balancer at 203.0.113.7."));
      assertThat(assess(lb + "status: {loadBalancer: {ingress: [{hostname: lb.example.com}]}}\n"))
          .isEqualTo(HealthStatus.healthy("Load balancer at lb.example.com."));
    }

    @Test
    void anIngressWithoutAnAddressIsProgressingAsInArgoCd() {
      String ing = """
          apiVersion: networking.k8s.io/v1
          kind: Ingress
          metadata: {name: web}
          spec: {rules: [{host: shop.example.com}]}
          """;
      assertThat(assess(ing)).isEqualTo(HealthStatus.progressing("Waiting for a load balancer address (is an "
          + "ingress controller serving this ingress class?)."));
      assertThat(assess(ing + "status: {loadBalancer: {ingress: [{}]}}\n").state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(ing + "status: {loadBalancer: {ingress: [{ip: 198.51.100.1}]}}\n"))
          .isEqualTo(HealthStatus.healthy("Load balancer at 198.51.100.1."));
    }
  }

  @Nested
  class PersistentVolumeClaims {
    private static final String HEAD = """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data}
        spec: {accessModes: [ReadWriteOnce], volumeName: pv-1}
        """;

    @Test
    void eachPhase() {
      assertThat(assess(HEAD + "status: {phase: Pending}\n"))
          .isEqualTo(HealthStatus.progressing("Waiting for a volume to be bound."));
      assertThat(assess(HEAD).state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(HEAD + "status: {phase: Bound}\n")).isEqualTo(HealthStatus.healthy("Bound to volume pv-1."));
      assertThat(assess(HEAD + "status: {phase: Lost}\n"))
          .isEqualTo(HealthStatus.degraded("The bound volume pv-1 was lost."));
      assertThat(assess(HEAD + "status: {phase: Weird}\n").state()).isEqualTo(State.UNKNOWN);
    }
  }

  @Nested
  class HorizontalPodAutoscalers {
    private static final String HEAD = """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec: {minReplicas: 2, maxReplicas: 10}
        """;

    @Test
    void withoutStatusIsProgressing() {
      assertThat(assess(HEAD)).isEqualTo(HealthStatus.progressing("Waiting for the autoscaler to report status."));
    }

    @Test
    void activeIsHealthy() {
      assertThat(assess(HEAD + """
          status:
            currentReplicas: 2
            desiredReplicas: 3
            conditions:
            - {type: AbleToScale, status: "True", reason: SucceededRescale}
            - {type: ScalingActive, status: "True", reason: ValidMetricFound}
            - {type: ScalingLimited, status: "False", reason: DesiredWithinRange}
          """)).isEqualTo(HealthStatus.healthy("Autoscaling active: 2 current, 3 desired replicas."));
    }

    @Test
    void atItsLimitIsHealthyAndSaysSo() {
      assertThat(assess(HEAD + """
          status:
            currentReplicas: 10
            desiredReplicas: 10
            conditions:
            - {type: AbleToScale, status: "True"}
            - {type: ScalingActive, status: "True"}
            - {type: ScalingLimited, status: "True", reason: TooManyReplicas, message: the desired replica count is more than the maximum replica count}
          """).message()).isEqualTo("Autoscaling active at its limit: 10 current, 10 desired replicas: "
              + "TooManyReplicas: the desired replica count is more than the maximum replica count.");
    }

    @Test
    void unableToScaleIsDegraded() {
      HealthStatus h = assess(HEAD + """
          status:
            conditions:
            - {type: AbleToScale, status: "False", reason: FailedGetScale, message: deployments/scale.apps "web" not found}
          """);
      assertThat(h).isEqualTo(HealthStatus.degraded("The autoscaler cannot scale its target: FailedGetScale: "
          + "deployments/scale.apps \"web\" not found."));
    }

    @Test
    void metricsItCannotReadAreDegradedWithTheConditionsMessage() {
      HealthStatus h = assess(HEAD + """
          status:
            currentReplicas: 2
            conditions:
            - {type: AbleToScale, status: "True", reason: SucceededGetScale}
            - type: ScalingActive
              status: "False"
              reason: FailedGetResourceMetric
              message: "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"
          """);
      assertThat(h.state()).isEqualTo(State.DEGRADED);
      assertThat(h.message()).startsWith("Autoscaling cannot read its metrics (is a metrics server installed?): "
          + "FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu "
          + "utilization: unable to get metrics for resource cpu");
    }

    @Test
    void aMissingResourceRequestIsDegradedAndSaysSo() {
      assertThat(assess(HEAD + """
          status:
            conditions:
            - {type: AbleToScale, status: "True"}
            - type: ScalingActive
              status: "False"
              reason: FailedGetResourceMetric
              message: "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod web-1"
          """)).isEqualTo(HealthStatus.degraded("Autoscaling cannot work: a container has no resource request for "
              + "the metric: FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get "
              + "cpu utilization: missing request for cpu in container web of Pod web-1."));
    }

    @Test
    void anInvalidSelectorIsDegradedAndScalingDisabledIsHealthy() {
      assertThat(assess(HEAD + """
          status:
            conditions:
            - {type: AbleToScale, status: "True"}
            - {type: ScalingActive, status: "False", reason: InvalidSelector, message: selector is required}
          """)).isEqualTo(HealthStatus.degraded("Autoscaling is inactive: InvalidSelector: selector is required."));
      assertThat(assess(HEAD + """
          status:
            conditions:
            - {type: AbleToScale, status: "True"}
            - {type: ScalingActive, status: "False", reason: ScalingDisabled}
          """).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void v1ConditionsAreReadFromTheAnnotation() {
      assertThat(assess("""
          apiVersion: autoscaling/v1
          kind: HorizontalPodAutoscaler
          metadata:
            name: web
            annotations:
              autoscaling.alpha.kubernetes.io/conditions: '[{"type":"AbleToScale","status":"False","reason":"FailedGetScale"}]'
          status: {currentReplicas: 2}
          """).state()).isEqualTo(State.DEGRADED);
      assertThat(assess("""
          apiVersion: autoscaling/v1
          kind: HorizontalPodAutoscaler
          metadata: {name: web}
          status: {currentReplicas: 2, desiredReplicas: 2}
          """).state()).isEqualTo(State.HEALTHY);
    }
  }

  @Nested
  class Pods {
    private static final String HEAD = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec: {containers: [{name: app, image: x}]}
        """;

    @Test
    void eachPhase() {
      assertThat(assess(HEAD + "status: {phase: Pending}\n")).isEqualTo(HealthStatus.progressing("The pod is pending."));
      assertThat(assess(HEAD + "status: {phase: Succeeded}\n").state()).isEqualTo(State.HEALTHY);
      assertThat(assess(HEAD + "status: {phase: Failed, reason: Evicted, message: low on memory}\n"))
          .isEqualTo(HealthStatus.degraded("The pod failed: Evicted: low on memory."));
      assertThat(assess(HEAD + "status: {phase: Unknown}\n").state()).isEqualTo(State.UNKNOWN);
    }

    @Test
    void runningIsHealthyOnlyWhenReady() {
      assertThat(assess(HEAD + """
          status:
            phase: Running
            conditions: [{type: Ready, status: "True"}]
            containerStatuses: [{name: app, ready: true}]
          """)).isEqualTo(HealthStatus.healthy("The pod is running and ready."));
      assertThat(assess(HEAD + """
          status:
            phase: Running
            conditions: [{type: Ready, status: "False"}]
            containerStatuses: [{name: app, ready: false}]
          """)).isEqualTo(HealthStatus.progressing("The pod is running; 0 of 1 containers ready."));
    }

    @Test
    void aStuckContainerIsDegraded() {
      assertThat(assess(HEAD + """
          status:
            phase: Pending
            containerStatuses:
            - name: app
              ready: false
              state: {waiting: {reason: ImagePullBackOff, message: Back-off pulling image "x"}}
          """)).isEqualTo(HealthStatus.degraded(
              "Container app is waiting: ImagePullBackOff: Back-off pulling image \"x\"."));
      assertThat(assess(HEAD + """
          status:
            phase: Running
            containerStatuses:
            - {name: app, ready: false, state: {waiting: {reason: CrashLoopBackOff}}}
          """).state()).isEqualTo(State.DEGRADED);
    }

    @Test
    void unschedulableIsProgressingWithTheReason() {
      assertThat(assess(HEAD + """
          status:
            phase: Pending
            conditions:
            - {type: PodScheduled, status: "False", reason: Unschedulable, message: 0/3 nodes are available}
          """)).isEqualTo(HealthStatus.progressing("The pod is not scheduled: Unschedulable: 0/3 nodes are available."));
    }
  }

  @Nested
  class Namespaces {
    @Test
    void activeAndTerminating() {
      assertThat(assess("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          status: {phase: Active}
          """)).isEqualTo(HealthStatus.healthy("Active."));
      assertThat(assess("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          status: {phase: Terminating}
          """)).isEqualTo(HealthStatus.progressing("The namespace is terminating."));
    }

    @Test
    void customResourceDefinitions() {
      String crd = """
          apiVersion: apiextensions.k8s.io/v1
          kind: CustomResourceDefinition
          metadata: {name: widgets.example.com}
          """;
      assertThat(assess(crd).state()).isEqualTo(State.PROGRESSING);
      assertThat(assess(crd + """
          status:
            conditions:
            - {type: NamesAccepted, status: "True"}
            - {type: Established, status: "True"}
          """)).isEqualTo(HealthStatus.healthy("Established."));
      assertThat(assess(crd + """
          status:
            conditions:
            - {type: NamesAccepted, status: "False", reason: ListKindConflict}
          """).state()).isEqualTo(State.DEGRADED);
    }
  }

  @Nested
  class Aggregation {
    @Test
    void emptyIsHealthy() {
      assertThat(HealthStatus.aggregate(List.of()).state()).isEqualTo(State.HEALTHY);
    }

    @Test
    void allHealthy() {
      assertThat(HealthStatus.aggregate(List.of(HealthStatus.healthy("a"), HealthStatus.healthy("b"))))
          .isEqualTo(HealthStatus.healthy("All 2 objects are healthy."));
    }

    @Test
    void worstWinsInTheDocumentedOrder() {
      HealthStatus healthy = HealthStatus.healthy("fine");
      HealthStatus unknown = HealthStatus.unknown("no idea");
      HealthStatus progressing = HealthStatus.progressing("1 of 2 replicas updated.");
      HealthStatus missing = HealthStatus.missing("Not found in the cluster.");
      HealthStatus degraded = HealthStatus.degraded("The job failed.");
      assertThat(HealthStatus.aggregate(List.of(healthy, unknown)).state()).isEqualTo(State.UNKNOWN);
      assertThat(HealthStatus.aggregate(List.of(unknown, progressing, healthy)).state()).isEqualTo(State.PROGRESSING);
      assertThat(HealthStatus.aggregate(List.of(progressing, missing, unknown)).state()).isEqualTo(State.MISSING);
      assertThat(HealthStatus.aggregate(List.of(missing, degraded, progressing, healthy)))
          .isEqualTo(HealthStatus.degraded("1 of 4 objects degraded: The job failed."));
      assertThat(HealthStatus.aggregate(List.of(healthy, progressing, progressing)))
          .isEqualTo(HealthStatus.progressing("2 of 3 objects progressing: 1 of 2 replicas updated."));
    }

    @Test
    void severityOrder() {
      assertThat(State.DEGRADED.worseThan(State.MISSING)).isTrue();
      assertThat(State.MISSING.worseThan(State.PROGRESSING)).isTrue();
      assertThat(State.PROGRESSING.worseThan(State.UNKNOWN)).isTrue();
      assertThat(State.UNKNOWN.worseThan(State.HEALTHY)).isTrue();
      assertThat(State.HEALTHY.worseThan(State.HEALTHY)).isFalse();
    }
  }
}
