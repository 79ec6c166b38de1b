package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * The Kubernetes RBAC that lets Paved write each team's objects as the team: per team and
 * namespace of an environment, RoleBinding {@code paved-team-<team>} of ClusterRole {@value
 * #CLUSTER_ROLE} to the team's identity. They are the environment's own objects (no service),
 * applied as Paved before any team object. An environment opts out with {@code rbac: {manage:
 * false}} (its platform grants the identities itself) or {@code rbac: {impersonate: false}}
 * (Paved writes every object as itself, and renders no RoleBinding).
 */
public final class TeamRbac {

  /** The ClusterRole bound to every team in its namespaces (ensured by the engine, see apply.TeamRole). */
  public static final String CLUSTER_ROLE = "paved-team";
  public static final String BINDING_PREFIX = "paved-team-";

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
    Map<String, String> labels = new TreeMap<>(env.labels());
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    labels.put(Labels.ENVIRONMENT, env.name());
    labels.put(Labels.TEAM, team);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(Labels.SOURCE_FILE, env.file());
    annotations.put(Labels.SOURCE_COMMIT, commit);
    ObjectNode tree = Json.resource("rbac.authorization.k8s.io/v1", "RoleBinding");
    tree.set("metadata", Json.metadata(BINDING_PREFIX + team, namespace, labels, annotations));
    tree.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
        .put("name", CLUSTER_ROLE);
    tree.putArray("subjects").addObject().put("apiGroup", "rbac.authorization.k8s.io").put("kind", "User")
        .put("name", id.user());
    return new DesiredObject(ObjectKey.of(tree), tree, null, at, Map.of());
  }
}
