package dev.paved.config;

import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Override;
import dev.paved.config.Declarations.RawManifest;
import dev.paved.config.Declarations.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks between files of a config repo, once each file is valid on its own: references
 * to clusters and environments that are not declared, promotion cycles, overrides for an
 * environment the service does not run in, and overrides or manifests without a service.
 */
final class CrossChecks {

  /** Every path of the tree, valid or not: a reference to an invalid file is not dangling. */
  private final Set<String> paths;
  private final List<Diagnostic> diagnostics = new ArrayList<>();

  private CrossChecks(Set<String> paths) {
    this.paths = paths;
  }

  /**
   * The problems between the valid declarations of a tree whose files are {@code paths};
   * {@code withServiceFile} names every service with a service.yaml, readable or not.
   */
  static List<Diagnostic> check(Set<String> paths, Map<String, Service> services,
      Map<String, Environment> environments, Map<String, Cluster> clusters,
      Map<String, Map<String, Override>> overrides, Map<String, List<RawManifest>> manifests,
      Set<String> withServiceFile) {
    CrossChecks checks = new CrossChecks(paths);
    checks.orphans(overrides, manifests, withServiceFile);
    checks.environments(environments, clusters);
    checks.services(services, environments);
    return checks.diagnostics;
  }

  private void orphans(Map<String, Map<String, Override>> overrides, Map<String, List<RawManifest>> manifests,
      Set<String> withServiceFile) {
    for (String service : overrides.keySet()) {
      if (!withServiceFile.contains(service)) {
        Override any = overrides.get(service).values().iterator().next();
        diagnostics.add(Diagnostic.error(Location.ofFile(any.file()), "orphan-file", "services/" + service
            + "/ has overrides but no service.yaml; add services/" + service + "/service.yaml or remove the directory"));
      }
    }
    for (String service : manifests.keySet()) {
      if (!withServiceFile.contains(service) && !overrides.containsKey(service)) {
        diagnostics.add(Diagnostic.error(Location.ofFile(manifests.get(service).get(0).file()), "orphan-file",
            "services/" + service + "/ has manifests but no service.yaml; add services/" + service + "/service.yaml"));
      }
    }
  }

  private void environments(Map<String, Environment> environments, Map<String, Cluster> clusters) {
    for (Environment env : environments.values()) {
      SourceMap map = env.document().sourceMap();
      if (!clusters.containsKey(env.cluster()) && !declared("clusters", env.cluster())) {
        diagnostics.add(Diagnostic.error(map.value("/cluster"), "dangling-reference", "environment \"" + env.name()
            + "\" runs on cluster \"" + env.cluster() + "\", which is not declared"
            + Suggestions.hint(env.cluster(), clusters.keySet()) + "; add clusters/" + env.cluster()
            + ".yaml or fix the name"));
      } else if (clusters.containsKey(env.cluster()) && !clusters.get(env.cluster()).admits(env.name())) {
        Cluster c = clusters.get(env.cluster());
        diagnostics.add(Diagnostic.error(map.value("/cluster"), "cluster-refuses", "environment \"" + env.name()
            + "\" may not run on cluster \"" + c.name() + "\": " + c.file() + " admits only "
            + String.join(", ", c.environments()) + "; choose another cluster or add it there"));
      }
      if (env.promotesFrom() != null) {
        if (!environments.containsKey(env.promotesFrom())) {
          if (!declared("environments", env.promotesFrom())) {
            diagnostics.add(Diagnostic.error(map.value("/promotesFrom"), "dangling-reference", "environment \""
                + env.name() + "\" promotes from \"" + env.promotesFrom() + "\", which is not declared"
                + Suggestions.hint(env.promotesFrom(), environments.keySet())));
          }
        } else {
          promotionCycle(env, environments);
        }
      }
    }
  }

  private void services(Map<String, Service> services, Map<String, Environment> environments) {
    for (Service svc : services.values()) {
      List<String> restricted = svc.environments();
      if (restricted != null) {
        for (int i = 0; i < restricted.size(); i++) {
          String e = restricted.get(i);
          if (!environments.containsKey(e) && !declared("environments", e)) {
            diagnostics.add(Diagnostic.error(svc.document().sourceMap().value("/environments/" + i),
                "dangling-reference", "service \"" + svc.name() + "\" lists environment \"" + e
                    + "\", which is not declared" + Suggestions.hint(e, environments.keySet())));
          }
        }
      }
      for (Override o : svc.overrides().values()) {
        if (!environments.containsKey(o.environment()) && declared("environments", o.environment())) {
          continue; // declared but invalid: its own errors are reported
        }
        if (!environments.containsKey(o.environment())) {
          diagnostics.add(Diagnostic.error(Location.ofFile(o.file()), "dangling-reference", "override for environment \""
              + o.environment() + "\", which is not declared" + Suggestions.hint(o.environment(), environments.keySet())
              + "; rename the file to one of: " + String.join(", ", environments.keySet())));
        } else if (restricted != null && !restricted.contains(o.environment())) {
          diagnostics.add(Diagnostic.error(Location.ofFile(o.file()), "unused-override", "service \"" + svc.name()
              + "\" does not run in environment \"" + o.environment() + "\" (see \"environments\" in "
              + svc.file() + "); add it there or remove this override"));
        }
      }
    }
  }

  /**
   * Whether a file for {@code name} exists in {@code scope}, even if it is invalid: a reference
   * to it is then not dangling (the file's own errors say what to fix).
   */
  private boolean declared(String scope, String name) {
    return paths.contains(scope + "/" + name + ".yaml") || paths.contains(scope + "/" + name + ".yml");
  }

  private void promotionCycle(Environment start, Map<String, Environment> environments) {
    List<String> chain = new ArrayList<>(List.of(start.name()));
    Environment cur = start;
    while (cur.promotesFrom() != null && environments.containsKey(cur.promotesFrom())) {
      String next = cur.promotesFrom();
      if (next.equals(start.name())) {
        chain.add(next);
        diagnostics.add(Diagnostic.error(start.document().sourceMap().value("/promotesFrom"), "promotion-cycle",
            "promotion cycle: " + String.join(" <- ", chain) + "; an environment cannot promote from itself, "
                + "directly or through others"));
        return;
      }
      if (chain.contains(next)) {
        return; // a cycle not through start: reported from its own members
      }
      chain.add(next);
      cur = environments.get(next);
    }
  }
}
