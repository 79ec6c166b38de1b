package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.ApiKinds.Resource;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Team;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.config.Platform;
import dev.paved.config.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Kubernetes RBAC that lets Paved write each team's objects as the team: per team and
 * namespace of an environment, RoleBinding {@code paved-team-<team>} of ClusterRole {@value
 * #CLUSTER_ROLE} to the team's identity; and per team of the environment whose file grants
 * cluster-scoped kinds ({@code clusterKinds}), ClusterRole and ClusterRoleBinding {@code
 * paved-team:<environment>:<team>} granting the identity exactly those kinds. They are the
 * environment's own objects (no service), applied as Paved before any team object, and pruned
 * with the environment's other objects when the team no longer runs there or loses the grant. An
 * environment opts out with {@code rbac: {manage: false}} (its platform grants the identities
 * itself) or {@code rbac: {impersonate: false}} (Paved writes every object as itself, and renders
 * no RBAC).
 */
public final class TeamRbac {

  /** The ClusterRole bound to every team in its namespaces (ensured by the engine, see apply.TeamRole). */
  public static final String CLUSTER_ROLE = "paved-team";
  public static final String BINDING_PREFIX = "paved-team-";
  /**
   * What a team's identity may do with the objects of its cluster-scoped kinds: server-side
   * apply (a PATCH; create for good measure) and reads. Deletes are Paved's own (prune).
   */
  public static final List<String> CLUSTER_VERBS = List.of("create", "get", "list", "patch", "watch");

  private TeamRbac() {}

  /** Whether Paved writes the teams' objects of {@code env} as the teams ({@code rbac.impersonate}, default true). */
  public static boolean impersonate(Environment env) {
    return env.document().tree().path("rbac").path("impersonate").asBoolean(true);
  }

  /** Whether Paved renders the RoleBindings of {@code env} ({@code rbac.manage}, default true). */
  public static boolean manage(Environment env) {
    return impersonate(env) && env.document().tree().path("rbac").path("manage").asBoolean(true);
  }

  /**
   * Whom Paved acts as for each of {@code teams} in {@code env} (the identity its team file
   * declares, by default user {@code paved:team:<name>}, group {@code paved:teams}): empty when
   * it does not impersonate there.
   */
  public static Map<String, Identity> identities(Platform platform, Environment env, Set<String> teams) {
    Map<String, Identity> out = new TreeMap<>();
    if (impersonate(env)) {
      teams.forEach(t -> out.put(t, platform.team(t).map(Team::identity).orElse(Team.defaultIdentity(t))));
    }
    return out;
  }

  /** The RoleBindings of {@code env}: one per (namespace, team) of {@code namespaceTeams} ("env/namespace" → teams). */
  public static List<DesiredObject> roleBindings(Environment env, Map<String, Set<String>> namespaceTeams,
      Map<String, Identity> identities, String commit) {
    List<DesiredObject> out = new ArrayList<>();
    if (!manage(env)) {
      return out;
    }
    JsonNode rbac = env.document().tree().path("rbac");
    Location at = rbac.isMissingNode() ? env.document().location() : env.document().sourceMap().value("/rbac");
    namespaceTeams.forEach((key, teams) -> {
      if (!key.startsWith(env.name() + "/")) {
        return;
      }
      String namespace = key.substring(env.name().length() + 1);
      for (String team : teams) {
        Identity id = identities.get(team);
        if (id != null) {
          out.add(roleBinding(env, namespace, team, id, commit, at));
        }
      }
    });
    return out;
  }

  private static DesiredObject roleBinding(Environment env, String namespace, String team, Identity id, String commit,
      Location at) {
    Map<String, String> labels = labels(env, team);
    Map<String, String> annotations = annotations(env.file(), commit);
    ObjectNode tree = Json.resource("rbac.authorization.k8s.io/v1", "RoleBinding");
    tree.set("metadata", Json.metadata(BINDING_PREFIX + team, namespace, labels, annotations));
    tree.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
        .put("name", CLUSTER_ROLE);
    tree.putArray("subjects").addObject().put("apiGroup", "rbac.authorization.k8s.io").put("kind", "User")
        .put("name", id.user());
    return new DesiredObject(ObjectKey.of(tree), tree, null, at, Map.of());
  }

  /**
   * The name of the ClusterRole (and ClusterRoleBinding) granting {@code team} its cluster-scoped
   * kinds in {@code environment}: {@code paved-team:<environment>:<team>}. Both names are DNS
   * labels, so no other pair gives the same name; the colon keeps it apart from the RoleBindings'
   * names and from any name a DNS-label-minded platform picks.
   */
  public static String clusterRoleName(String environment, String team) {
    return CLUSTER_ROLE + ":" + environment + ":" + team;
  }

  /**
   * The ClusterRoles and ClusterRoleBindings of {@code env}: for each team of {@code identities}
   * (the teams that run there, as Paved acts as them) whose file lists {@code clusterKinds}, a
   * ClusterRole granting {@link #CLUSTER_VERBS} on the resources of exactly those kinds (as known
   * offline: built in, or the repo's CRDs), bound to the team's identity. None when the
   * environment does not manage its RBAC.
   */
  public static List<DesiredObject> clusterRoles(Platform platform, Environment env, Map<String, Identity> identities,
      String commit) {
    List<DesiredObject> out = new ArrayList<>();
    if (!manage(env)) {
      return out;
    }
    identities.forEach((name, id) -> {
      Team team = platform.teams().get(name);
      if (team == null || team.clusterKinds().isEmpty()) {
        return;
      }
      Map<String, Set<String>> byGroup = new TreeMap<>();
      for (String kind : team.clusterKinds()) {
        for (Resource r : platform.kinds().resources(kind)) {
          byGroup.computeIfAbsent(r.group(), g -> new TreeSet<>()).add(r.plural());
        }
      }
      if (byGroup.isEmpty()) {
        return; // no kind with a resource known offline: nothing to grant
      }
      Location at = team.document().sourceMap().value("/clusterKinds");
      String roleName = clusterRoleName(env.name(), name);
      Map<String, String> labels = labels(env, name);
      Map<String, String> annotations = annotations(team.file(), commit);

      ObjectNode role = Json.resource("rbac.authorization.k8s.io/v1", "ClusterRole");
      role.set("metadata", Json.metadata(roleName, null, labels, annotations));
      ArrayNode rules = role.putArray("rules");
      byGroup.forEach((group, plurals) -> {
        ObjectNode rule = rules.addObject();
        rule.putArray("apiGroups").add(group);
        rule.set("resources", Json.strings(List.copyOf(plurals)));
        rule.set("verbs", Json.strings(CLUSTER_VERBS));
      });
      out.add(new DesiredObject(ObjectKey.of(role), role, null, at, Map.of()));

      ObjectNode binding = Json.resource("rbac.authorization.k8s.io/v1", "ClusterRoleBinding");
      binding.set("metadata", Json.metadata(roleName, null, labels, annotations));
      binding.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
          .put("name", roleName);
      binding.putArray("subjects").addObject().put("apiGroup", "rbac.authorization.k8s.io").put("kind", "User")
          .put("name", id.user());
      out.add(new DesiredObject(ObjectKey.of(binding), binding, null, at, Map.of()));
    });
    return out;
  }

  private static Map<String, String> labels(Environment env, String team) {
    Map<String, String> labels = new TreeMap<>(env.labels());
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    labels.put(Labels.ENVIRONMENT, env.name());
    labels.put(Labels.TEAM, team);
    return labels;
  }

  private static Map<String, String> annotations(String file, String commit) {
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Labels.SOURCE_FILE, file);
    annotations.put(Labels.SOURCE_COMMIT, commit);
    return annotations;
  }
}
