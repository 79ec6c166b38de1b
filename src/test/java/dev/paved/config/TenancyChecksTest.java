package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Declarations.Team;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Teams are declared by the platform; what a team file grants must exist and be grantable. */
class TenancyChecksTest {

  private static List<String> errors(Fixtures f) {
    return f.load().diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::toString).toList();
  }

  private static Fixtures withTeam(String body) {
    return Fixtures.minimal().file("teams/payments.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\n"
        + "owners: [\"@acme/payments\"]\n" + body);
  }

  @Test
  void aTeamGetsTheDefaultsAndThePlatformExposesIt() {
    Platform p = Fixtures.minimal().load().platform().orElseThrow();
    Team t = p.teams().get("payments");
    assertThat(t.owners()).containsExactly("@acme/payments");
    assertThat(t.kinds()).isEqualTo(Team.DEFAULT_KINDS).contains("RoleBinding", "ConfigMap");
    assertThat(t.clusterKinds()).isEmpty();
    assertThat(t.identity()).isEqualTo(new Team.Identity("paved:team:payments", List.of("paved:teams")));
    assertThat(p.namespaces(t, p.environments().get("dev"))).isEqualTo(Set.of("payments-dev"));
    assertThat(p.teamOf(p.services().get("checkout"))).isSameAs(t);
  }

  @Test
  void whatATeamFileSaysIsRead() {
    Platform p = withTeam("""
        namespaces:
          dev: ["{team}-{env}", "{team}-batch"]
        kinds: [ConfigMap]
        clusterKinds: [ClusterRole]
        identity: {user: deployer-payments, groups: [deployers]}
        """).load().platform().orElseThrow();
    Team t = p.teams().get("payments");
    assertThat(p.namespaces(t, p.environments().get("dev"))).containsExactly("payments-batch", "payments-dev");
    assertThat(t.kinds()).containsExactly("ConfigMap");
    assertThat(t.clusterKinds()).containsExactly("ClusterRole");
    assertThat(t.identity()).isEqualTo(new Team.Identity("deployer-payments", List.of("deployers")));
  }

  @Test
  void aServiceOfAnUndeclaredTeamIsAnErrorWithASuggestion() {
    assertThat(errors(Fixtures.minimal().remove("teams/payments.yaml").team("payment")))
        .containsExactly("services/checkout/service.yaml:3:7: error: service \"checkout\" belongs to team \"payments\", "
            + "which is not declared; did you mean \"payment\"?; the platform declares teams in teams/<name>.yaml "
            + "(declared: payment)");
  }

  @Test
  void anInvalidTeamFileIsItsOwnErrorNotAnUnknownTeam() {
    assertThat(errors(Fixtures.minimal().file("teams/payments.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\n")))
        .hasSize(1).allMatch(e -> e.startsWith("teams/payments.yaml:") && e.contains("owners"));
  }

  @Test
  void aTeamGrantingItselfAReservedNamespaceIsAnError() {
    assertThat(errors(withTeam("namespaces:\n  dev: [payments-dev, paved-system]\n"))).containsExactly(
        "teams/payments.yaml:5:23: error: team \"payments\" grants itself the reserved namespace \"paved-system\" in "
            + "environment \"dev\"; reserved namespaces (paved-system, default, kube-*) belong to the platform: "
            + "choose another namespace");
    assertThat(errors(withTeam("namespaces:\n  dev: [ops-tools]\n").file("platform.yaml",
        "apiVersion: paved.dev/v1alpha1\nkind: Platform\nreservedNamespaces: [ops-*]\n")))
        .singleElement().asString().contains("reserved namespace \"ops-tools\"").contains("kube-*, ops-*");
  }

  @Test
  void aPatternGivingATeamAReservedNamespaceIsAnErrorAtThePattern() {
    assertThat(errors(Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        namespace: "default"
        """))).containsExactly("environments/dev.yaml:5:12: error: the namespace pattern \"default\" gives team "
            + "\"payments\" the reserved namespace \"default\" in environment \"dev\"; reserved namespaces (paved-system, "
            + "default, kube-*) belong to the platform: rename the team, or list its namespaces for \"dev\" in "
            + "teams/payments.yaml");
  }

  @Test
  void anInvalidNamespaceOfATeamIsAnError() {
    assertThat(errors(withTeam("namespaces:\n  dev: [\"{team}-{env}-\"]\n"))).singleElement().asString()
        .startsWith("teams/payments.yaml:5:9: error: namespace \"payments-dev-\" (team \"payments\", environment \"dev\") "
            + "is not a valid DNS-1123 label");
  }

  @Test
  void namespacesOfAnUndeclaredEnvironmentAreAnError() {
    assertThat(errors(withTeam("namespaces:\n  dve: [payments-dev]\n"))).containsExactly("teams/payments.yaml:5:3: "
        + "error: team \"payments\" lists namespaces for environment \"dve\", which is not declared; did you mean \"dev\"?");
  }

  @Test
  void kindsMustExistAndHaveTheirScope() {
    assertThat(errors(withTeam("kinds: [ConfigMap, Deploymnet, ClusterRole]\nclusterKinds: [Tenant]\n")))
        .containsExactly(
            "teams/payments.yaml:4:20: error: kind \"Deploymnet\" does not exist: it is neither built into Kubernetes "
                + "nor declared by a CustomResourceDefinition in this repo; did you mean \"Deployment\"?",
            "teams/payments.yaml:4:32: error: kind \"ClusterRole\" is cluster-scoped; list it under \"clusterKinds\"",
            "teams/payments.yaml:5:16: error: kind \"Tenant\" does not exist: it is neither built into Kubernetes nor "
                + "declared by a CustomResourceDefinition in this repo");
    // a CRD of the repo declares it
    assertThat(errors(withTeam("clusterKinds: [Tenant]\n").file("services/checkout/manifests/crd.yaml", """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: tenants.example.com}
        spec: {group: example.com, scope: Cluster, names: {kind: Tenant, plural: tenants}}
        """))).isEmpty();
  }

  @Test
  void aNamespaceGrantedToTwoTeamsIsAnError() {
    assertThat(errors(Fixtures.minimal().file("teams/storefront.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Team
        owners: ["@acme/storefront"]
        namespaces:
          dev: [storefront-dev, payments-dev]
        """))).containsExactly("teams/storefront.yaml:5:25: error: namespace \"payments-dev\" of environment \"dev\" is "
            + "granted to team \"storefront\" and to team \"payments\"; a namespace belongs to one team");
  }

  @Test
  void ownersAndIdentitiesAreCheckedByTheSchema() {
    assertThat(errors(withTeam("identity: {user: \"system:admin\"}\n"))).singleElement().asString()
        .startsWith("teams/payments.yaml:4:");
    assertThat(errors(Fixtures.minimal().file("teams/payments.yaml",
        "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"not an owner\"]\n"))).singleElement().asString()
        .startsWith("teams/payments.yaml:3:");
  }

  @Test
  void theDefaultNamespacesFollowAServicePattern() {
    Platform p = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        namespace: "{team}-{service}"
        """).load().platform().orElseThrow();
    assertThat(p.namespaces(p.teams().get("payments"), p.environments().get("dev"))).containsExactly("payments-checkout");
    assertThat(Map.copyOf(p.teams())).containsOnlyKeys("payments");
  }
}
