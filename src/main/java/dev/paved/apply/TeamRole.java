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
 * RoleBinding it writes, and never prunes it. The cluster-scoped kinds a team file grants come
 * from the ClusterRole {@code paved-team:<environment>:<team>} the environment renders ({@link
 * TeamRbac#clusterRoles}); a team that needs more in its namespaces (a custom resource) gets it from
 * a Role or ClusterRole the platform binds itself.
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
      LOG.warn("cannot apply ClusterRole {}: {}", TeamRbac.CLUSTER_ROLE, ServerSideApply.reason(e));
      return false;
    }
  }

  /** Whether {@code o} is a RoleBinding of this ClusterRole. */
  static boolean binds(DesiredObject o) {
    return o.key().kind().equals("RoleBinding")
        && TeamRbac.CLUSTER_ROLE.equals(o.manifest().path("roleRef").path("name").asText());
  }

  /** Whether {@code o} is a ClusterRoleBinding granting a team its cluster-scoped kinds ({@link TeamRbac#clusterRoles}). */
  static boolean bindsClusterKinds(DesiredObject o) {
    return o.key().kind().equals("ClusterRoleBinding") && o.key().group().equals("rbac.authorization.k8s.io")
        && o.manifest().path("roleRef").path("name").asText().startsWith(TeamRbac.CLUSTER_ROLE + ":");
  }

  /** Whether {@code o} is a ClusterRole or ClusterRoleBinding granting a team its cluster-scoped kinds. */
  static boolean grantsClusterKinds(DesiredObject o) {
    return bindsClusterKinds(o) || (o.key().kind().equals("ClusterRole")
        && o.key().group().equals("rbac.authorization.k8s.io")
        && o.key().name().startsWith(TeamRbac.CLUSTER_ROLE + ":"));
  }

  /**
   * Waits until each binding among {@code objects} (the environment's own: RoleBindings of {@value
   * TeamRbac#CLUSTER_ROLE}, ClusterRoleBindings of a team's cluster-scoped kinds) that {@code
   * written} created or changed grants its identity (as {@code identities} names it): the
   * authorizer's cache lags the write.
   */
  static void awaitGranted(KubernetesClient client, List<DesiredObject> objects, ChangeSet written,
      Map<String, Identity> identities, Duration timeout) {
    for (DesiredObject b : objects) {
      boolean cluster = bindsClusterKinds(b);
      if (!cluster && !binds(b)) {
        continue;
      }
      String role = b.manifest().path("roleRef").path("name").asText();
      // A team's ClusterRole may change (a kind more) while its binding stays as it was.
      DesiredObject clusterRole = cluster ? objects.stream()
          .filter(o -> o.key().kind().equals("ClusterRole") && o.key().name().equals(role)).findFirst().orElse(null)
          : null;
      if (!wrote(written, b) && (clusterRole == null || !wrote(written, clusterRole))) {
        continue;
      }
      String user = b.manifest().path("subjects").path(0).path("name").asText();
      Identity id = identities.values().stream().filter(i -> i.user().equals(user)).findFirst()
          .orElse(new Identity(user, List.of()));
      List<Attributes> asks = cluster ? rules(clusterRole) : List.of(new Attributes(b.key().namespace(), "", "configmaps"));
      for (Attributes what : asks) {
        if (!awaitGranted(client, id, what, timeout)) {
          LOG.warn("{} is not granted by {} within {}", user, b.key(), timeout);
          break;
        }
      }
    }
  }

  private static boolean wrote(ChangeSet written, DesiredObject o) {
    return written.entries().stream().anyMatch(e -> e.key().equals(o.key())
        && (e.action() == Action.CREATED || e.action() == Action.CONFIGURED || e.action() == Action.ADOPTED));
  }

  /** What to ask the authorizer about: a resource of a group, in a namespace (null: cluster-wide). */
  record Attributes(String namespace, String group, String resource) {}

  /** Every resource {@code clusterRole} grants, cluster-wide (none when it is not rendered). */
  private static List<Attributes> rules(DesiredObject clusterRole) {
    List<Attributes> out = new java.util.ArrayList<>();
    if (clusterRole != null) {
      for (var rule : clusterRole.manifest().path("rules")) {
        for (var group : rule.path("apiGroups")) {
          for (var resource : rule.path("resources")) {
            out.add(new Attributes(null, group.asText(), resource.asText()));
          }
        }
      }
    }
    return out;
  }

  /**
   * Waits (at most {@code timeout}) until the apiserver's authorizer lets {@code identity} create
   * ConfigMaps in {@code namespace}: a RoleBinding just written reaches the authorizer's cache a
   * moment later, and the team's first write must not race it. False when it never does.
   */
  static boolean awaitGranted(KubernetesClient client, Identity identity, String namespace, Duration timeout) {
    return awaitGranted(client, identity, new Attributes(namespace, "", "configmaps"), timeout);
  }

  /** The same for any resource: until {@code identity} may create {@code what}. */
  static boolean awaitGranted(KubernetesClient client, Identity identity, Attributes what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(identity.user())
          .withGroups(identity.groups()).withNewResourceAttributes().withNamespace(what.namespace()).withVerb("create")
          .withGroup(what.group()).withResource(what.resource()).endResourceAttributes().endSpec().build();
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
