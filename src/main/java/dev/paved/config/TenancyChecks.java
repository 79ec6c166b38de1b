package dev.paved.config;

import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Settings;
import dev.paved.config.Declarations.Team;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The cross-file checks of tenancy, on a loaded repo: every service names a declared team; what a
 * team file grants exists and is grantable (its namespaces are valid, not reserved, not another
 * team's, in declared environments; its kinds exist and have the right scope); an environment's
 * namespace pattern gives no team a reserved namespace.
 */
final class TenancyChecks {

  private TenancyChecks() {}

  static List<Diagnostic> check(Map<String, Service> services, Map<String, Environment> environments,
      Map<String, Team> teams, Settings settings, ApiKinds kinds, Predicate<String> teamFileExists) {
    List<Diagnostic> out = new ArrayList<>();
    for (Service svc : services.values()) {
      String team = svc.team();
      if (!teams.containsKey(team) && !teamFileExists.test(team)) {
        out.add(Diagnostic.error(svc.document().sourceMap().value("/team"), "unknown-team", "service \""
            + svc.name() + "\" belongs to team \"" + team + "\", which is not declared"
            + Suggestions.hint(team, teams.keySet()) + "; the platform declares teams in teams/<name>.yaml"
            + (teams.isEmpty() ? "" : " (declared: " + String.join(", ", teams.keySet()) + ")")));
      }
    }
    // Reserved and invalid namespaces are judged by a platform holding only the settings.
    Platform judge = new Platform("", services, environments, Map.of(), Map.of(), teams, settings, kinds);
    // (environment, namespace) -> the team first granted it, and whether by its own file (a
    // namespace pattern without {team}, e.g. "apps", is the platform's choice to share one).
    Map<String, String> owner = new HashMap<>();
    Set<String> explicit = new HashSet<>();
    Set<String> reportedPatterns = new HashSet<>();
    for (Team team : teams.values()) {
      SourceMap map = team.document().sourceMap();
      for (String env : team.namespaces().keySet()) {
        if (!environments.containsKey(env)) {
          out.add(Diagnostic.error(map.key("/namespaces/" + SourceMap.token(env)), "dangling-reference", "team \""
              + team.name() + "\" lists namespaces for environment \"" + env + "\", which is not declared"
              + Suggestions.hint(env, environments.keySet())));
        }
      }
      kinds(team, "kinds", false, kinds, out);
      kinds(team, "clusterKinds", true, kinds, out);
      for (Environment env : environments.values()) {
        List<String> declared = team.namespaces().get(env.name());
        for (String ns : judge.namespaces(team, env)) {
          Location at;
          if (declared != null) {
            int i = indexOf(declared, team.name(), env.name(), ns);
            at = map.value("/namespaces/" + SourceMap.token(env.name()) + "/" + i);
            if (!ConfigLoader.dnsLabel(ns)) {
              out.add(Diagnostic.error(at, "bad-namespace", "namespace \"" + ns + "\" (team \"" + team.name()
                  + "\", environment \"" + env.name() + "\") is not a valid DNS-1123 label: use at most 63 "
                  + "lower-case letters, digits and '-'"));
              continue;
            }
            if (judge.reserved(ns)) {
              out.add(Diagnostic.error(at, "reserved-namespace", "team \"" + team.name()
                  + "\" grants itself the reserved namespace \"" + ns + "\" in environment \"" + env.name()
                  + "\"; reserved namespaces (" + judge.reservedList() + ") belong to the platform: "
                  + "choose another namespace"));
              continue;
            }
          } else {
            // The environment's pattern: at its line, or at the team when the pattern is the default.
            at = env.document().tree().has("namespace") ? env.document().sourceMap().value("/namespace")
                : map.value("/kind");
            if (!ConfigLoader.dnsLabel(ns)) {
              continue; // reported for the workloads that would land there
            }
            if (judge.reserved(ns)) {
              if (reportedPatterns.add(env.name() + "/" + ns)) {
                out.add(Diagnostic.error(at, "reserved-namespace", "the namespace pattern \""
                    + env.namespacePattern() + "\" gives team \"" + team.name() + "\" the reserved namespace \""
                    + ns + "\" in environment \"" + env.name() + "\"; reserved namespaces (" + judge.reservedList()
                    + ") belong to the platform: rename the team, or list its namespaces for \"" + env.name()
                    + "\" in " + team.file()));
              }
              continue;
            }
          }
          String where = env.name() + "/" + ns;
          String first = owner.putIfAbsent(where, team.name());
          boolean mine = declared != null;
          if (mine && first == null) {
            explicit.add(where);
          }
          if (first != null && !first.equals(team.name()) && (mine || explicit.contains(where))) {
            out.add(Diagnostic.error(declared != null ? at : map.value("/kind"), "shared-namespace", "namespace \""
                + ns + "\" of environment \"" + env.name() + "\" is granted to team \"" + team.name()
                + "\" and to team \"" + first + "\"; a namespace belongs to one team"));
          }
        }
      }
    }
    return out;
  }

  private static int indexOf(List<String> patterns, String team, String env, String ns) {
    for (int i = 0; i < patterns.size(); i++) {
      if (Platform.expand(patterns.get(i), team, env, null).equals(ns)) {
        return i;
      }
    }
    return 0;
  }

  private static void kinds(Team team, String field, boolean cluster, ApiKinds kinds, List<Diagnostic> out) {
    List<String> list = cluster ? team.clusterKinds() : team.kinds();
    if (!team.document().tree().has(field)) {
      return; // the defaults exist
    }
    for (int i = 0; i < list.size(); i++) {
      String kind = list.get(i);
      Location at = team.document().sourceMap().value("/" + field + "/" + i);
      var scope = kinds.clusterScoped(kind);
      if (scope.isEmpty()) {
        out.add(Diagnostic.error(at, "unknown-kind", "kind \"" + kind + "\" does not exist: it is neither "
            + "built into Kubernetes nor declared by a CustomResourceDefinition in this repo"
            + Suggestions.hint(kind, kinds.names())));
      } else if (scope.get() != cluster) {
        out.add(Diagnostic.error(at, "wrong-scope", "kind \"" + kind + "\" is "
            + (cluster ? "namespaced; list it under \"kinds\"" : "cluster-scoped; list it under \"clusterKinds\"")));
      }
    }
  }
}
