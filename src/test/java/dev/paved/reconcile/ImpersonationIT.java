package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.InventoryStore;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes enforces tenancy too: Paved writes each team's objects as the team's identity, and
 * the RoleBindings it renders grant that identity its own namespaces only. Here Paved's own
 * checks are bypassed on purpose (the attacking objects are added to the rendered state, as if a
 * check had a hole): the apiserver itself refuses every write outside the team's namespaces, and
 * nothing is written.
 */
@dev.paved.testing.RealCluster
class ImpersonationIT {

  private static final String FORBIDDEN_AS_TEAM = "User \"paved:team:payments\" cannot patch resource";

  /** {@code state} plus objects of service checkout (team payments) that no check looked at. */
  private static EnvironmentState withUncheckedObjects(EnvironmentState state, String... yamls) {
    return withUncheckedObjectsOf(state, "checkout", yamls);
  }

  /** {@code state} plus objects of {@code service} (labelled as its first object) that no check looked at. */
  static EnvironmentState withUncheckedObjectsOf(EnvironmentState state, String service, String... yamls) {
    DesiredObject template = state.ofService(service).get(0);
    List<DesiredObject> objects = new ArrayList<>(state.objects());
    for (String yaml : yamls) {
      ObjectNode tree;
      try {
        tree = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      ((ObjectNode) tree.get("metadata")).set("labels", template.manifest().path("metadata").path("labels").deepCopy());
      objects.add(new DesiredObject(ObjectKey.of(tree), tree, service, template.origin(), Map.of()));
    }
    return new EnvironmentState(state.environment(), state.tier(), state.cluster(), objects, state.identities());
  }

  private static Map<ObjectKey, ChangeSet.Entry> entries(TargetSync.Result r) {
    Map<ObjectKey, ChangeSet.Entry> out = new TreeMap<>();
    r.changes().entries().forEach(e -> out.put(e.key(), e));
    return out;
  }

  private static String configMap(String namespace, String name) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
          namespace: %s
        data:
          planted: "yes"
        """.formatted(name, namespace);
  }

  @Test
  void teamObjectsAreWrittenAsTheTeamInTheNamespacesItsRoleBindingGrants(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).impersonating().service("checkout", "1.0.0");
    EnvironmentState state = p.state("c1");
    assertThat(state.identities()).containsExactly(Map.entry("payments", dev.paved.config.Declarations.Team.defaultIdentity("payments")));
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = TargetSync.run(state, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults());

      assertThat(r.synced()).as(r.changes().entries().toString()).isTrue();
      assertThat(entries(r)).containsKey(new ObjectKey("rbac.authorization.k8s.io/v1", "RoleBinding", ns,
          "paved-team-payments"));
      var binding = client.rbac().roleBindings().withName("paved-team-payments").get();
      assertThat(binding.getRoleRef().getName()).isEqualTo("paved-team");
      assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getKind()).isEqualTo("User");
        assertThat(s.getName()).isEqualTo("paved:team:payments");
      });
      assertThat(client.rbac().clusterRoles().withName("paved-team").get()).isNotNull();
      assertThat(client.apps().deployments().withName("checkout").get()).isNotNull();
    }
  }

  @Test
  void theApiserverRefusesATeamsWritesOutsideItsNamespacesThatPavedsChecksMissed(KubernetesClient client) {
    String ns = client.getNamespace();
    String other = ns + "-other";
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(other)
        .addToLabels("paved.dev/test", "true").endMetadata().build()).create();
    LivePlatform p = new LivePlatform(ns).impersonating().service("checkout", "1.0.0");
    String inventory = InventoryStore.name("default", p.environment);
    EnvironmentState attack = withUncheckedObjects(p.state("c1"),
        configMap("kube-system", "planted"),
        configMap(InventoryStore.NAMESPACE, inventory),
        configMap(other, "planted"),
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: payments-is-admin
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: cluster-admin
        subjects:
          - kind: Group
            name: paved:teams
            apiGroup: rbac.authorization.k8s.io
        """);
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = TargetSync.run(attack, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults());

      Map<ObjectKey, ChangeSet.Entry> e = entries(r);
      ObjectKey kubeSystem = new ObjectKey("v1", "ConfigMap", "kube-system", "planted");
      ObjectKey pavedSystem = new ObjectKey("v1", "ConfigMap", InventoryStore.NAMESPACE, inventory);
      ObjectKey otherTeam = new ObjectKey("v1", "ConfigMap", other, "planted");
      ObjectKey admin = new ObjectKey("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "payments-is-admin");
      assertThat(e.get(kubeSystem).action()).isEqualTo(Action.FAILED);
      assertThat(e.get(kubeSystem).reason()).contains(FORBIDDEN_AS_TEAM, "in the namespace \"kube-system\"");
      assertThat(e.get(otherTeam).action()).isEqualTo(Action.FAILED);
      assertThat(e.get(otherTeam).reason()).contains(FORBIDDEN_AS_TEAM, "in the namespace \"" + other + "\"");
      assertThat(e.get(admin).action()).isEqualTo(Action.FAILED);
      assertThat(e.get(admin).reason()).contains(FORBIDDEN_AS_TEAM, "clusterrolebindings", "at the cluster scope");
      // The inventory exists (Paved wrote it as itself): not Paved's mark for this repo and
      // environment, so a conflict before the apiserver is even asked.
      assertThat(e.get(pavedSystem).action()).isIn(Action.FAILED, Action.CONFLICT);
      // Nothing written.
      assertThat(client.configMaps().inNamespace("kube-system").withName("planted").get()).isNull();
      assertThat(client.configMaps().inNamespace(other).withName("planted").get()).isNull();
      assertThat(client.rbac().clusterRoleBindings().withName("payments-is-admin").get()).isNull();
      assertThat(client.configMaps().inNamespace(InventoryStore.NAMESPACE).withName(inventory).get().getData())
          .doesNotContainKey("planted");
      // The team's own objects were applied.
      assertThat(client.apps().deployments().withName("checkout").get()).isNotNull();
      assertThat(r.changes().partial()).isTrue();
    }
  }

  @Test
  void withoutTheRoleBindingsTheTeamMayNotWriteEvenItsOwnNamespace(KubernetesClient client) {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).impersonating().service("checkout", "1.0.0");
    EnvironmentState rendered = p.state("c1");
    // The platform opted out (rbac.manage: false) and granted nothing itself.
    EnvironmentState state = new EnvironmentState(rendered.environment(), rendered.tier(), rendered.cluster(),
        rendered.objects().stream().filter(o -> !o.key().kind().equals("RoleBinding")).toList(), rendered.identities());
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = TargetSync.run(state, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults());

      assertThat(r.changes().of(Action.FAILED)).hasSize(3).allSatisfy(e -> assertThat(e.reason())
          .contains(FORBIDDEN_AS_TEAM, "in the namespace \"" + ns + "\""));
      assertThat(client.apps().deployments().withName("checkout").get()).isNull();
    }
  }

  @Test
  void aKindTheClusterServesAsClusterScopedIsRefusedWhenRenderedNamespaced(KubernetesClient client) {
    String ns = client.getNamespace();
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    String group = "s" + suffix + ".it.paved.dev";
    var crd = new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("tenants." + group).endMetadata()
        .withNewSpec().withGroup(group).withScope("Cluster")
        .withNewNames().withKind("Tenant").withPlural("tenants").withSingular("tenant").endNames()
        .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema()
        .withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema()
        .endSchema().endVersion().endSpec().build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    client.apiextensions().v1().customResourceDefinitions().withName("tenants." + group).waitUntilCondition(
        c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
        30, java.util.concurrent.TimeUnit.SECONDS);
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    // Offline, Tenant is unknown (no CRD in the repo): rendered into the service's namespace.
    EnvironmentState state = withUncheckedObjects(p.state("c1"), """
        apiVersion: %s/v1
        kind: Tenant
        metadata:
          name: everyone
          namespace: %s
        """.formatted(group, ns));
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = TargetSync.run(state, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults());

      ChangeSet.Entry e = entries(r).get(new ObjectKey(group + "/v1", "Tenant", ns, "everyone"));
      assertThat(e.action()).isEqualTo(Action.FAILED);
      assertThat(e.reason()).contains("Tenant (" + group + "/v1) is cluster-scoped on this cluster (API discovery)",
          "took it for namespaced offline", "nothing was written");
      assertThat(client.genericKubernetesResources(group + "/v1", "Tenant").withName("everyone").get()).isNull();
      assertThat(client.apps().deployments().withName("checkout").get()).isNotNull();
    }
  }
}
