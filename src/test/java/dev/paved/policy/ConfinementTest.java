package dev.paved.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Diagnostic;
import dev.paved.config.Fixtures;
import dev.paved.config.LoadResult;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.RenderResult;
import dev.paved.desired.Renderer;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Tenancy's built-in confinement on the PR side: each attack of a team's commit on what the
 * platform did not grant it is refused, for the right reason, with no policy configured.
 */
class ConfinementTest {

  private static final String MANIFESTS = "services/checkout/manifests/extra.yaml";

  /** dev and staging on one cluster; teams payments (checkout) and storefront (web). */
  private static Fixtures repo(String manifests) {
    return Fixtures.minimal().team("storefront")
        .file("environments/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: staging
            cluster: main
            """)
        .file("services/web/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: storefront
            image: {repository: registry.example.com/storefront/web, tag: "1.0.0"}
            """)
        .file(MANIFESTS, manifests);
  }

  private static List<Finding> confinement(Fixtures f, String environment) {
    LoadResult loaded = f.load();
    assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    Platform p = loaded.platform().orElseThrow();
    RenderResult rendered = Renderer.render(p, "c0ffee");
    assertThat(rendered.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    return Confinement.check(p, rendered.state().environment(environment).orElseThrow());
  }

  private static Finding refused(Fixtures f, String environment) {
    List<Finding> findings = confinement(f, environment);
    assertThat(findings).hasSize(1);
    Finding finding = findings.get(0);
    assertThat(finding.policy()).isEqualTo("confinement");
    assertThat(finding.blocking()).isTrue();
    assertThat(finding.service()).isEqualTo("checkout");
    return finding;
  }

  private static String configMap(String namespace) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: planted
          namespace: %s
        data: {x: "1"}
        """.formatted(namespace);
  }

  @Test
  void theTeamsOwnObjectsInItsOwnNamespacePass() {
    assertThat(confinement(repo(configMap("payments-dev")), "dev")).isEmpty();
    assertThat(confinement(repo("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), "staging")).isEmpty();
  }

  @Test
  void kubeSystemIsRefused() {
    Finding f = refused(repo(configMap("kube-system")), "dev");
    assertThat(f.message()).isEqualTo("ConfigMap/kube-system/planted: namespace \"kube-system\" is reserved for the "
        + "platform (reserved: paved-system, default, kube-*); team \"payments\" may write in environment \"dev\" "
        + "only in: payments-dev");
    assertThat(f.location()).isEqualTo(new Location(MANIFESTS, 5, 14));
  }

  @Test
  void pavedsOwnInventoryIsRefused() {
    Finding f = refused(repo("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: paved-inventory-staging, namespace: paved-system}
        data: {objects: ""}
        """), "staging");
    assertThat(f.message()).startsWith("ConfigMap/paved-system/paved-inventory-staging: namespace \"paved-system\" "
        + "is reserved for the platform");
  }

  @Test
  void namespacesThePlatformReservesAreRefused() {
    Finding f = refused(repo(configMap("monitoring")).file("platform.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Platform
        reservedNamespaces: [monitoring]
        """), "dev");
    assertThat(f.message()).contains("namespace \"monitoring\" is reserved for the platform (reserved: paved-system, "
        + "default, kube-*, monitoring)");
  }

  @Test
  void anotherTeamsNamespaceIsRefused() {
    Finding f = refused(repo(configMap("storefront-dev")), "dev");
    assertThat(f.message()).isEqualTo("ConfigMap/storefront-dev/planted: namespace \"storefront-dev\" belongs to team "
        + "\"storefront\"; team \"payments\" may write in environment \"dev\" only in: payments-dev");
  }

  @Test
  void theTeamsOwnNamespaceOfAnotherEnvironmentIsRefused() {
    Finding f = refused(repo(configMap("payments-staging")), "dev");
    assertThat(f.message()).isEqualTo("ConfigMap/payments-staging/planted: namespace \"payments-staging\" belongs to "
        + "environment \"staging\", not to \"dev\"; team \"payments\" may write in environment \"dev\" only in: "
        + "payments-dev");
    // in staging the same manifest is where it belongs
    assertThat(confinement(repo(configMap("payments-staging")), "staging")).isEmpty();
  }

  @Test
  void aNamespaceNobodyWasGrantedIsRefused() {
    assertThat(refused(repo(configMap("scratch")), "dev").message())
        .contains("namespace \"scratch\" is not granted to team \"payments\"");
  }

  @Test
  void clusterRoleBindingToClusterAdminIsRefused() {
    Finding f = refused(repo("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: payments-admin}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: Group, name: paved:teams, apiGroup: rbac.authorization.k8s.io}]
        """), "dev");
    assertThat(f.message()).isEqualTo("ClusterRoleBinding/payments-admin: team \"payments\" may not create "
        + "cluster-scoped ClusterRoleBinding objects; only the platform grants cluster-scoped kinds, under "
        + "clusterKinds in teams/payments.yaml");
  }

  @Test
  void roleBindingToAClusterRoleIsRefused() {
    Finding f = refused(repo("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: payments-admin}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
        subjects: [{kind: ServiceAccount, name: checkout}]
        """), "dev");
    assertThat(f.message()).isEqualTo("RoleBinding/payments-dev/payments-admin: a team's RoleBinding may bind only a "
        + "Role of its own namespace, not the ClusterRole \"admin\"; ask the platform for the access instead");
    assertThat(f.location()).isEqualTo(new Location(MANIFESTS, 4, 54));
  }

  @Test
  void roleBindingSubjectsOutsideTheTeamAreRefused() {
    String binding = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: readers}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        subjects:
          - {kind: ServiceAccount, name: checkout}
          - {kind: ServiceAccount, name: web, namespace: %s}
        """;
    assertThat(confinement(repo(binding.formatted("payments-dev")), "dev")).isEmpty();
    Finding f = refused(repo(binding.formatted("storefront-dev")), "dev");
    assertThat(f.message()).isEqualTo("RoleBinding/payments-dev/readers: the RoleBinding's subject ServiceAccount "
        + "storefront-dev/web is outside team \"payments\"; a team's RoleBinding binds only service accounts of its "
        + "own namespaces (payments-dev)");
    assertThat(refused(repo(binding.formatted("payments-dev").replace("kind: ServiceAccount, name: web",
        "kind: Group, name: system:masters")), "dev").message()).contains("subject Group \"system:masters\" is outside");
  }

  @Test
  void kindsTheTeamIsNotGrantedAreRefusedAndGrantedOnesPass() {
    String quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: more}\nspec: {hard: {pods: \"1000\"}}\n";
    assertThat(refused(repo(quota), "dev").message()).startsWith("ResourceQuota/payments-dev/more: team \"payments\" "
        + "may not use kind ResourceQuota in raw manifests (allowed: ConfigMap, Secret, ");
    assertThat(confinement(repo(quota).file("teams/payments.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Team
        owners: ["@acme/payments"]
        kinds: [ResourceQuota]
        """), "dev")).isEmpty();
  }

  @Test
  void clusterKindsThePlatformGrantsPassAndNamespacesStayExtra() {
    Fixtures f = repo("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: payments-reader}
        rules: []
        """).file("teams/payments.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Team
        owners: ["@acme/payments"]
        namespaces:
          dev: ["{team}-{env}", "{team}-jobs-{env}"]
        clusterKinds: [ClusterRole]
        """);
    assertThat(confinement(f, "dev")).isEmpty();
    assertThat(confinement(f.file(MANIFESTS, configMap("payments-jobs-dev")), "dev")).isEmpty();
  }

  @Test
  void aKindTheRepoDeclaresClusterScopedIsCheckedAsSuch() {
    Fixtures f = repo("""
        apiVersion: example.com/v1
        kind: Tenant
        metadata: {name: payments}
        """).file("services/checkout/manifests/crd.yaml", """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: tenants.example.com}
        spec:
          group: example.com
          scope: Cluster
          names: {kind: Tenant, plural: tenants}
          versions: [{name: v1, served: true, storage: true}]
        """).file("teams/payments.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Team
        owners: ["@acme/payments"]
        clusterKinds: [CustomResourceDefinition]
        """);
    List<Finding> findings = confinement(f, "dev");
    assertThat(findings).extracting(Finding::message).containsExactly("Tenant/payments: team \"payments\" may not "
        + "create cluster-scoped Tenant objects; only the platform grants cluster-scoped kinds, under clusterKinds in "
        + "teams/payments.yaml");
  }

  @Test
  void discoveryThatShowsAKindClusterScopedRefusesWhatOfflineTookAsNamespaced() {
    // The repo's CRD says Tenant is namespaced; the cluster (where another CRD won) says otherwise.
    Fixtures f = repo("apiVersion: example.com/v1\nkind: Tenant\nmetadata: {name: payments}\n")
        .file("services/checkout/manifests/crd.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: tenants.example.com}
            spec: {group: example.com, scope: Namespaced, names: {kind: Tenant, plural: tenants}}
            """).file("teams/payments.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/payments"]
            kinds: [Tenant]
            clusterKinds: [CustomResourceDefinition]
            """);
    assertThat(confinement(f, "dev")).isEmpty();
    Platform p = f.load().platform().orElseThrow();
    EnvironmentState dev = Renderer.render(p, "c0ffee").state().environment("dev").orElseThrow();
    List<Finding> atApply = Confinement.check(p, dev,
        (apiVersion, kind) -> kind.equals("Tenant") ? Optional.of(true) : p.kinds().clusterScoped(kind));
    assertThat(atApply).extracting(Finding::message).containsExactly("Tenant/payments-dev/payments: team \"payments\" "
        + "may not create cluster-scoped Tenant objects (Tenant is cluster-scoped on the cluster, though it was taken "
        + "as namespaced offline); only the platform grants cluster-scoped kinds, under clusterKinds in "
        + "teams/payments.yaml");
  }

  @Test
  void confinementIsOnWithoutAnyPolicyAndBlocksTheCommit() {
    Evaluation e = Evaluator.evaluate(repo(configMap("kube-system")).tree());
    assertThat(e.blocked()).isTrue();
    assertThat(e.violations()).extracting(Finding::policy).containsExactly("confinement", "confinement");
    assertThat(e.problems()).extracting(Diagnostic::toString).anyMatch(s -> s.startsWith(MANIFESTS
        + ":5:14: error: ConfigMap/kube-system/planted: namespace \"kube-system\" is reserved"));
  }

  @Test
  void theExamplePlatformIsConfined() throws java.io.IOException {
    Evaluation e = Evaluator.evaluate(dev.paved.source.DirectorySource.read(java.nio.file.Path.of("examples/platform")));
    assertThat(e.findings()).filteredOn(f -> f.policy().equals("confinement")).isEmpty();
    assertThat(e.platform().orElseThrow().teams()).containsOnlyKeys("payments", "platform", "storefront");
  }
}
