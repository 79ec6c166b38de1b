package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.ApiKinds.Resource;
import org.junit.jupiter.api.Test;

class ApiKindsTest {

  private static String crd(String group, String kind, String plural, String scope) {
    return """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: %3$s.%1$s
        spec:
          group: %1$s
          scope: %4$s
          names: {kind: %2$s, plural: %3$s}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema: {type: object}
        """.formatted(group, kind, plural, scope);
  }

  @Test
  void everyBuiltInClusterScopedKindHasTheResourceAnRbacRuleNames() {
    for (String kind : ApiKinds.BUILTIN_CLUSTER_SCOPED) {
      assertThat(ApiKinds.builtin().resources(kind)).as(kind).singleElement().satisfies(r -> {
        assertThat(r.plural()).as(kind).isEqualTo(r.plural().toLowerCase()).startsWith(kind.toLowerCase().substring(0, 3));
        assertThat(r.group()).as(kind).doesNotContain("/");
      });
    }
    assertThat(ApiKinds.builtin().resources("PriorityClass")).containsExactly(new Resource("scheduling.k8s.io",
        "priorityclasses"));
    assertThat(ApiKinds.builtin().resources("Namespace")).containsExactly(new Resource("", "namespaces"));
    // Namespaced and unknown kinds: nothing (only cluster-scoped kinds are granted cluster-wide).
    assertThat(ApiKinds.builtin().resources("ConfigMap")).isEmpty();
    assertThat(ApiKinds.builtin().resources("Tenant")).isEmpty();
  }

  @Test
  void theRepositorysCrdsGiveTheirGroupAndPluralEveryGroupDeclaringTheKind() {
    LoadResult r = Fixtures.minimal()
        .file("services/checkout/manifests/crds.yaml", crd("b.example.com", "Tenant", "tenants", "Cluster") + "---\n"
            + crd("a.example.com", "Tenant", "tenantz", "Cluster") + "---\n"
            + crd("a.example.com", "Widget", "widgets", "Namespaced"))
        .load();
    ApiKinds kinds = r.platform().orElseThrow().kinds();

    assertThat(kinds.resources("Tenant")).containsExactly(new Resource("a.example.com", "tenantz"),
        new Resource("b.example.com", "tenants"));
    assertThat(kinds.clusterScoped("Tenant")).contains(true);
    assertThat(kinds.clusterScoped("Widget")).contains(false);
    assertThat(kinds.custom()).containsOnlyKeys("Tenant", "Widget");
  }
}
