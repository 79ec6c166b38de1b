package dev.paved.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.ApiKinds;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Team;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.config.Severity;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.ObjectKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tenancy, built in and always on: a team's objects stay within what the platform granted the
 * team ({@code teams/<name>.yaml}). Every object of a service lands only in its team's
 * namespaces of that environment, never in a reserved one; a cluster-scoped object only of a
 * kind the team may create; a raw manifest only of a kind the team may use; a RoleBinding only
 * binds a Role to service accounts of the team's namespaces (or to the team's identity).
 * Objects of no service (the environment's Namespaces) are the platform's own.
 *
 * <p>Pure. Runs on the pull request ({@code paved validate}, {@code paved diff}: scopes known
 * offline, {@link Scopes#offline}) and before every apply (scopes from the cluster's discovery);
 * every refusal is a blocking {@link Finding} of policy and rule {@value #NAME}.
 */
public final class Confinement {

  /** The policy and rule name of confinement findings. */
  public static final String NAME = "confinement";

  private Confinement() {}

  /** Whether a kind is cluster-scoped (empty: unknown; taken as namespaced). */
  @FunctionalInterface
  public interface Scopes {
    Optional<Boolean> clusterScoped(String apiVersion, String kind);

    /** What is known without a cluster: built-in kinds and the CRDs of the repo. */
    static Scopes offline(ApiKinds kinds) {
      return (apiVersion, kind) -> kinds.clusterScoped(kind);
    }
  }

  /** Every confinement finding of {@code state}, with the kinds' scopes known offline. */
  public static List<Finding> check(Platform platform, EnvironmentState state) {
    return check(platform, state, Scopes.offline(platform.kinds()));
  }

  /** Every confinement finding of {@code state}; {@code scopes} says which kinds are cluster-scoped. */
  public static List<Finding> check(Platform platform, EnvironmentState state, Scopes scopes) {
    Environment env = platform.environments().get(state.environment());
    Checker checker = new Checker(platform, env, scopes);
    List<Finding> out = new ArrayList<>();
    for (DesiredObject o : state.objects()) {
      checker.check(o, out);
    }
    return out;
  }

  /** Every confinement finding of {@code objects} of environment {@code environment}. */
  public static List<Finding> check(Platform platform, String environment, List<DesiredObject> objects,
      Scopes scopes) {
    Checker checker = new Checker(platform, platform.environments().get(environment), scopes);
    List<Finding> out = new ArrayList<>();
    for (DesiredObject o : objects) {
      checker.check(o, out);
    }
    return out;
  }

  /** The findings of one object of environment {@code environment} (for callers that check one at a time). */
  public static List<Finding> check(Platform platform, String environment, DesiredObject object, Scopes scopes) {
    List<Finding> out = new ArrayList<>();
    new Checker(platform, platform.environments().get(environment), scopes).check(object, out);
    return out;
  }

  /** One environment's check, with each team's namespaces found once. */
  private static final class Checker {
    private final Platform platform;
    private final Environment env;
    private final Scopes scopes;
    private final Map<String, Set<String>> namespaces = new HashMap<>();

    Checker(Platform platform, Environment env, Scopes scopes) {
      this.platform = platform;
      this.env = env;
      this.scopes = scopes;
    }

    private Set<String> namespacesOf(Team team, Environment in) {
      return namespaces.computeIfAbsent(in.name() + "/" + team.name(), k -> platform.namespaces(team, in));
    }

    void check(DesiredObject o, List<Finding> out) {
      if (o.service() == null) {
        return; // the platform's own (the environment's namespaces)
      }
      Service svc = platform.services().get(o.service());
      Team team = svc == null ? null : platform.teams().get(svc.team());
      ObjectKey key = o.key();
      if (team == null) {
        out.add(finding(o, o.origin(), "the service's team \"" + (svc == null ? "" : svc.team())
            + "\" is not declared; nothing of it may be applied"));
        return;
      }
      String teamFile = team.file();
      boolean clusterScoped = scopes.clusterScoped(key.apiVersion(), key.kind()).orElse(false);
      if (clusterScoped) {
        if (!team.clusterKinds().contains(key.kind())) {
          out.add(finding(o, o.origin(), "team \"" + team.name() + "\" may not create cluster-scoped "
              + key.kind() + " objects" + (key.namespace() != null ? " (" + key.kind()
                  + " is cluster-scoped on the cluster, though it was taken as namespaced offline)" : "")
              + "; only the platform grants cluster-scoped kinds, under clusterKinds in " + teamFile));
        } else if (key.kind().equals("Namespace") && platform.reserved(key.name())) {
          out.add(finding(o, o.locate("/metadata/name"), "namespace \"" + key.name() + "\" is reserved for the "
              + "platform (reserved: " + platform.reservedList() + ")"));
        }
        return;
      }
      String ns = key.namespace();
      if (ns == null) {
        return;
      }
      Set<String> own = namespacesOf(team, env);
      if (platform.reserved(ns)) {
        out.add(finding(o, o.locate("/metadata/namespace"), "namespace \"" + ns + "\" is reserved for the platform"
            + " (reserved: " + platform.reservedList() + ")" + allowed(team, own)));
        return;
      }
      if (!own.contains(ns)) {
        out.add(finding(o, o.locate("/metadata/namespace"), whose(ns, team) + allowed(team, own)));
        return;
      }
      if (isRaw(o) && !team.kinds().contains(key.kind())) {
        out.add(finding(o, o.locate("/kind"), "team \"" + team.name() + "\" may not use kind " + key.kind()
            + " in raw manifests (allowed: " + String.join(", ", team.kinds()) + "); the platform grants kinds in "
            + teamFile));
        return;
      }
      if (key.kind().equals("RoleBinding") && key.group().equals("rbac.authorization.k8s.io")) {
        roleBinding(o, team, own, out);
      }
    }

    /** Where the team may write instead (made only for a finding: it is asked for every object). */
    private String allowed(Team team, Set<String> own) {
      return "; team \"" + team.name() + "\" may write in environment \"" + env.name() + "\" only in: "
          + String.join(", ", own);
    }

    /** Why {@code ns} is not the team's: another environment's, another team's, or nobody's. */
    private String whose(String ns, Team team) {
      for (Environment other : platform.environments().values()) {
        if (!other.name().equals(env.name()) && namespacesOf(team, other).contains(ns)) {
          return "namespace \"" + ns + "\" belongs to environment \"" + other.name() + "\", not to \"" + env.name()
              + "\"";
        }
      }
      for (Team t : platform.teams().values()) {
        if (!t.name().equals(team.name()) && namespacesOf(t, env).contains(ns)) {
          return "namespace \"" + ns + "\" belongs to team \"" + t.name() + "\"";
        }
      }
      return "namespace \"" + ns + "\" is not granted to team \"" + team.name() + "\"";
    }

    private void roleBinding(DesiredObject o, Team team, Set<String> own, List<Finding> out) {
      JsonNode m = o.manifest();
      JsonNode ref = m.path("roleRef");
      if (!"Role".equals(ref.path("kind").asText())) {
        out.add(finding(o, o.locate("/roleRef/kind"), "a team's RoleBinding may bind only a Role of its own "
            + "namespace, not the " + ref.path("kind").asText("(missing kind)") + " \"" + ref.path("name").asText()
            + "\"; ask the platform for the access instead"));
        return;
      }
      JsonNode subjects = m.path("subjects");
      for (int i = 0; i < subjects.size(); i++) {
        JsonNode s = subjects.get(i);
        String kind = s.path("kind").asText();
        String name = s.path("name").asText();
        boolean inside = switch (kind) {
          case "ServiceAccount" -> own.contains(s.path("namespace").asText(o.key().namespace()));
          case "User" -> name.equals(team.identity().user());
          case "Group" -> team.identity().groups().contains(name) && !name.equals(Team.TEAMS_GROUP);
          default -> false;
        };
        if (!inside) {
          String who = kind.equals("ServiceAccount")
              ? "ServiceAccount " + s.path("namespace").asText(o.key().namespace()) + "/" + name : kind + " \"" + name + "\"";
          out.add(finding(o, o.locate("/subjects/" + i), "the RoleBinding's subject " + who + " is outside team \""
              + team.name() + "\"; a team's RoleBinding binds only service accounts of its own namespaces ("
              + String.join(", ", own) + ")"));
        }
      }
    }

    private Finding finding(DesiredObject o, Location at, String message) {
      return new Finding(NAME, NAME, Severity.ERROR, env.name(), o.service(), o.key(), at, o.key() + ": " + message);
    }
  }

  /** Whether {@code o} comes from a raw manifest ({@code services/<name>/manifests/}). */
  static boolean isRaw(DesiredObject o) {
    return o.origin() != null && o.origin().file().contains("/manifests/");
  }
}
