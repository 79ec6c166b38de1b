package dev.paved.reconcile;

import dev.paved.apply.InventoryStore;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * The Fabric8 verbs on Paved's Leases ({@code coordination.k8s.io/v1}) in namespace {@code
 * paved-system}: one per target ({@code paved-target-<repo>.<environment>}) and one per replica
 * ({@code paved-replica-<identity>}), told apart by label. Every update carries the {@code
 * resourceVersion} of the Lease it is given, so of two replicas racing for a Lease one wins and
 * the other gets a {@code 409}. No decision is made here: each verb writes what it is told, and
 * throws the client's {@link KubernetesClientException} for {@link TargetLeases} to judge.
 */
final class LeaseStore implements AutoCloseable {

  static final String NAMESPACE = InventoryStore.NAMESPACE;
  /** {@code target} or {@code replica}. */
  static final String KIND_LABEL = "paved.dev/lease";
  static final String REPO_LABEL = "paved.dev/repo";
  static final String ENVIRONMENT_LABEL = "paved.dev/environment";

  private final KubernetesClient client;
  private final int seconds;
  private boolean namespaceReady;

  /** {@code leaseDuration}: written into every Lease, rounded up to whole seconds. */
  LeaseStore(KubernetesClient client, Duration leaseDuration) {
    this.client = client;
    this.seconds = (int) Math.max(1, (leaseDuration.toMillis() + 999) / 1000);
  }

  static String targetName(String repo, String environment) {
    return "paved-target-" + repo + "." + environment;
  }

  static String memberName(String identity) {
    return "paved-replica-" + identity;
  }

  /** The holder of {@code l}; "" when released. */
  static String holder(Lease l) {
    return l.getSpec() == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
  }

  /** The lease duration written, in seconds. */
  int seconds() {
    return seconds;
  }

  /** Every Lease of Paved's (targets and replicas). */
  List<Lease> list() {
    return client.leases().inNamespace(NAMESPACE).withLabel(KIND_LABEL).list().getItems();
  }

  // ------------------------------------------------------------------ target Leases

  /** Creates the target's Lease, held by {@code holder} from {@code at}, with {@code report} ({@link HolderReport}). */
  Lease createTarget(String repo, String environment, String holder, ZonedDateTime at, Map<String, String> report) {
    ensureNamespace();
    return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
        .withName(targetName(repo, environment)).withNamespace(NAMESPACE).addToLabels(KIND_LABEL, "target")
        .addToLabels(REPO_LABEL, repo).addToLabels(ENVIRONMENT_LABEL, environment)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToAnnotations(report).endMetadata().withNewSpec()
        .withHolderIdentity(holder).withLeaseDurationSeconds(seconds).withAcquireTime(at).withRenewTime(at)
        .withLeaseTransitions(0)
        .endSpec().build()).create();
  }

  /**
   * Makes {@code holder} the holder of {@code current} (as read), counting a transition when the
   * holder changes, with its {@code report} ({@link HolderReport}).
   */
  Lease acquire(Lease current, String holder, ZonedDateTime at, Map<String, String> report) {
    int transitions = current.getSpec().getLeaseTransitions() == null ? 0 : current.getSpec().getLeaseTransitions();
    return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(current).editMetadata()
        .addToAnnotations(report).endMetadata().editSpec()
        .withHolderIdentity(holder).withLeaseDurationSeconds(seconds).withAcquireTime(at).withRenewTime(at)
        .withLeaseTransitions(holder(current).equals(holder) ? transitions : transitions + 1).endSpec().build())
        .update();
  }

  /** Renews {@code last} (the Lease as last written) at {@code at}, with the holder's {@code report} ({@link HolderReport}). */
  Lease renew(Lease last, ZonedDateTime at, Map<String, String> report) {
    return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(last).editMetadata()
        .addToAnnotations(report).endMetadata().editSpec().withRenewTime(at).withLeaseDurationSeconds(seconds)
        .endSpec().build()).update();
  }

  /** Releases {@code last}: holder cleared, so another replica may take it at once. */
  void release(Lease last, ZonedDateTime at) {
    client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(last).editSpec().withHolderIdentity(null)
        .withRenewTime(at).endSpec().build()).update();
  }

  void delete(Lease l) {
    client.leases().inNamespace(NAMESPACE).resource(l).delete();
  }

  // ------------------------------------------------------------------ member Leases

  /** The member Lease of replica {@code identity}, or null. */
  Lease member(String identity) {
    return client.leases().inNamespace(NAMESPACE).withName(memberName(identity)).get();
  }

  /** Creates the member Lease of replica {@code identity}, renewed at {@code at}. */
  Lease createMember(String identity, ZonedDateTime at) {
    ensureNamespace();
    return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
        .withName(memberName(identity)).withNamespace(NAMESPACE).addToLabels(KIND_LABEL, "replica")
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().withNewSpec().withHolderIdentity(identity)
        .withLeaseDurationSeconds(seconds).withAcquireTime(at).withRenewTime(at).endSpec().build()).create();
  }

  /** Renews {@code member} (as last read or written) as held by {@code identity}. */
  Lease renewMember(Lease member, String identity, ZonedDateTime at) {
    return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(member).editSpec()
        .withHolderIdentity(identity).withRenewTime(at).withLeaseDurationSeconds(seconds).endSpec().build()).update();
  }

  void deleteMember(String identity) {
    client.leases().inNamespace(NAMESPACE).withName(memberName(identity)).delete();
  }

  static ZonedDateTime now() {
    return ZonedDateTime.now(ZoneOffset.UTC);
  }

  /** Closes the client. */
  @Override
  public void close() {
    client.close();
  }

  /** Creates {@code paved-system} if it is missing and this replica may read namespaces (else it is the chart's). */
  private void ensureNamespace() {
    if (namespaceReady) {
      return;
    }
    try {
      if (client.namespaces().withName(NAMESPACE).get() == null) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().build())
            .fieldManager(Labels.MANAGER).forceConflicts().serverSideApply();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      // May not read namespaces (the chart's namespaced RBAC): the namespace is the chart's to make.
    }
    namespaceReady = true;
  }
}
