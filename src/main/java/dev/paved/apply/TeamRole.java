package dev.paved.apply;

import dev.paved.desired.DesiredObject;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.desired.Labels;
import dev.paved.desired.TeamRbac;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * ClusterRole {@value TeamRbac#CLUSTER_ROLE}: what a team's identity may do in a namespace the
 * platform gave it (bound there by the environment's RoleBindings, see {@link TeamRbac}): read
 * and write the namespaced kinds a team uses by default. Shared by every repo and environment of
 * a cluster, so no target owns it: the engine ensures it (server-side apply) before the first
 * RoleBinding it writes, and never prunes it. A team that needs more (a custom resource) gets it
 * from a Role or ClusterRole the platform binds itself.
 */
final class TeamRole {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TeamRole.class);
  private static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete");

  private TeamRole() {}

  static ClusterRole clusterRole() {
    return new ClusterRoleBuilder().withNewMetadata().withName(TeamRbac.CLUSTER_ROLE)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata()
        .withRules(
            rule("", "configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims"),
            rule("apps", "deployments", "statefulsets", "daemonsets"),
            rule("batch", "jobs", "cronjobs"),
            rule("autoscaling", "horizontalpodautoscalers"),
            rule("policy", "poddisruptionbudgets"),
            rule("networking.k8s.io", "ingresses", "networkpolicies"),
            rule("rbac.authorization.k8s.io", "roles", "rolebindings"))
        .build();
  }

  private static PolicyRule rule(String group, String... resources) {
    return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(VERBS).build();
  }

  /** Applies the ClusterRole (a no-op request when it is already as declared); false when refused. */
  static boolean ensure(KubernetesClient client, String fieldManager) {
    try {
      client.rbac().clusterRoles().resource(clusterRole()).fieldManager(fieldManager).forceConflicts()
          .serverSideApply();
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot apply ClusterRole {}: {}", TeamRbac.CLUSTER_ROLE, ResourceManager.reason(e));
      return false;
    }
  }

  /** Whether {@code o} is a RoleBinding of this ClusterRole. */
  static boolean binds(DesiredObject o) {
    return o.key().kind().equals("RoleBinding")
        && TeamRbac.CLUSTER_ROLE.equals(o.manifest().path("roleRef").path("name").asText());
  }

  /**
   * Waits until each of {@code bindings} that {@code written} created or changed grants its
   * identity (as {@code identities} names it): the authorizer's cache lags the write.
   */
  static void awaitGranted(KubernetesClient client, List<DesiredObject> bindings, ChangeSet written,
      Map<String, Identity> identities, Duration timeout) {
    for (DesiredObject b : bindings) {
      boolean wrote = written.entries().stream().anyMatch(e -> e.key().equals(b.key())
          && (e.action() == Action.CREATED || e.action() == Action.CONFIGURED || e.action() == Action.ADOPTED));
      if (!wrote) {
        continue;
      }
      String user = b.manifest().path("subjects").path(0).path("name").asText();
      Identity id = identities.values().stream().filter(i -> i.user().equals(user)).findFirst()
          .orElse(new Identity(user, List.of()));
      if (!awaitGranted(client, id, b.key().namespace(), timeout)) {
        LOG.warn("{} is not granted by {} within {}", user, b.key(), timeout);
      }
    }
  }

  /**
   * Waits (at most {@code timeout}) until the apiserver's authorizer lets {@code identity} create
   * ConfigMaps in {@code namespace}: a RoleBinding just written reaches the authorizer's cache a
   * moment later, and the team's first write must not race it. False when it never does.
   */
  static boolean awaitGranted(KubernetesClient client, Identity identity, String namespace, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(identity.user())
          .withGroups(identity.groups()).withNewResourceAttributes().withNamespace(namespace).withVerb("create")
          .withResource("configmaps").endResourceAttributes().endSpec().build();
      try {
        SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
        if (answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
          return true;
        }
      } catch (KubernetesClientException e) {
        return false; // no right to ask: the writes will tell
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
