package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.ApiKinds.Resource;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What Paved knows offline about the built-in kinds agrees with the real apiserver's discovery:
 * every built-in cluster-scoped kind the server serves is cluster-scoped there, with the group and
 * plural an RBAC rule names (the ClusterRoles of a team's {@code clusterKinds}), and every built-in
 * namespaced kind it serves is namespaced.
 */
@dev.paved.testing.RealCluster
class ApiKindsIT {

  private record Served(Resource resource, boolean namespaced) {}

  private static Map<String, List<Served>> served(KubernetesClient client) {
    Map<String, List<Served>> out = new HashMap<>();
    List<String> versions = new ArrayList<>(List.of("v1"));
    for (APIGroup g : client.getApiGroups().getGroups()) {
      g.getVersions().forEach(v -> versions.add(v.getGroupVersion()));
    }
    for (String gv : versions) {
      APIResourceList list = client.getApiResources(gv);
      String group = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
      for (APIResource r : list.getResources()) {
        if (!r.getName().contains("/")) {
          out.computeIfAbsent(r.getKind(), k -> new ArrayList<>())
              .add(new Served(new Resource(group, r.getName()), Boolean.TRUE.equals(r.getNamespaced())));
        }
      }
    }
    return out;
  }

  @Test
  void theBuiltInKindsScopesGroupsAndPluralsAreTheApiserversOwn(KubernetesClient client) {
    Map<String, List<Served>> served = served(client);
    List<String> checked = new ArrayList<>();
    for (String kind : ApiKinds.BUILTIN_CLUSTER_SCOPED) {
      List<Served> s = served.get(kind);
      if (s == null) {
        continue; // an API off by default (alpha)
      }
      Resource offline = ApiKinds.builtin().resources(kind).iterator().next();
      assertThat(s).as(kind).contains(new Served(offline, false));
      checked.add(kind);
    }
    assertThat(checked).as("most built-in cluster-scoped kinds are served").hasSizeGreaterThan(20)
        .contains("PriorityClass", "ClusterRole", "CustomResourceDefinition", "StorageClass", "Namespace");
    for (String kind : ApiKinds.BUILTIN_NAMESPACED) {
      List<Served> s = served.get(kind);
      if (s != null) {
        assertThat(s).as(kind).anyMatch(Served::namespaced);
      }
    }
  }
}
