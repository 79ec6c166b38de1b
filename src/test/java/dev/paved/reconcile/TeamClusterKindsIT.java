package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.ObjectKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.paved.desired.DesiredObject;
import dev.paved.testing.Await;
import dev.paved.testing.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's {@code clusterKinds} hold on the real apiserver (RBAC on): Paved renders per environment
 * the ClusterRole and ClusterRoleBinding {@code paved-team:<environment>:<team>} granting the
 * team's identity exactly those kinds, applies them before anything of the team, and the team's
 * cluster-scoped objects (a CRD of its own, a custom resource of it, a PriorityClass) are written
 * as the team. A team without the grant is refused, by Paved before apply and, with Paved's check
 * bypassed, by the apiserver itself; nothing is written. Dropping the grant prunes the RBAC.
 */
@dev.paved.testing.RealCluster
class TeamClusterKindsIT {

  private static final String RBAC = "rbac.authorization.k8s.io/v1";

  /** payments (service checkout) may create the kinds listed; discovery (service search) none. */
  private static LivePlatform platform(String ns, String clusterKinds) {
    return new LivePlatform(ns).impersonating().service("checkout", "1.0.0")
        .file("teams/payments.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/payments"]
            """ + (clusterKinds.isEmpty() ? "" : "clusterKinds: " + clusterKinds + "\n"))
        .file("teams/discovery.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/discovery"]
            """)
        .file("services/search/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: discovery
            image: {repository: registry.example.com/discovery/search, tag: "2.0"}
            """);
  }

  private static String priorityClass(String name) {
    return """
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata:
          name: %s
        value: 1000
        """.formatted(name);
  }

  private static Map<ObjectKey, ChangeSet.Entry> entries(TargetSync.Result r) {
    Map<ObjectKey, ChangeSet.Entry> out = new TreeMap<>();
    r.changes().entries().forEach(e -> out.put(e.key(), e));
    return out;
  }

  private static boolean allowed(KubernetesClient client, String user, String group, String resource) {
    var review = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
        .withNewSpec().withUser(user).withGroups("paved:teams").withNewResourceAttributes().withVerb("patch")
        .withGroup(group).withResource(resource).withName("any").endResourceAttributes().endSpec().build());
    return Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  @Test
  void aTeamsClusterKindsAreGrantedToItsIdentityAndItsClusterScopedObjectsWrittenAsTheTeam(KubernetesClient client) {
    String ns = client.getNamespace();
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    String group = "t" + suffix + ".it.paved.dev";
    LivePlatform p = platform(ns, "[CustomResourceDefinition, Tenant, PriorityClass]")
        .manifest("checkout", "cluster.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: tenants.%1$s
            spec:
              group: %1$s
              scope: Cluster
              names: {kind: Tenant, plural: tenants, singular: tenant, listKind: TenantList}
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            ---
            apiVersion: %1$s/v1
            kind: Tenant
            metadata:
              name: payments-%2$s
            spec:
              tier: gold
            ---
            """.formatted(group, suffix) + priorityClass("payments-" + suffix));
    EnvironmentState state = p.state("c1");
    String role = "paved-team:" + p.environment + ":payments";
    try (var engine = LivePlatform.engine(client)) {
      TargetSync.Result r = TargetSync.run(state, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults().confining(p.evaluate("c1").platform().orElseThrow()));

      // The first sync: the grant is in force before the team's CRD (the first stage) is written as the team.
      assertThat(r.synced()).as(r.changes().entries().toString()).isTrue();
      Map<ObjectKey, ChangeSet.Entry> e = entries(r);
      assertThat(e.get(new ObjectKey(RBAC, "ClusterRole", null, role)).action()).isEqualTo(Action.CREATED);
      assertThat(e.get(new ObjectKey(RBAC, "ClusterRoleBinding", null, role)).action()).isEqualTo(Action.CREATED);
      assertThat(e.get(new ObjectKey("scheduling.k8s.io/v1", "PriorityClass", null, "payments-" + suffix)).action())
          .isEqualTo(Action.CREATED);
      assertThat(e.get(new ObjectKey(group + "/v1", "Tenant", null, "payments-" + suffix)).action())
          .isEqualTo(Action.CREATED);
      assertThat(client.scheduling().v1().priorityClasses().withName("payments-" + suffix).get().getValue())
          .isEqualTo(1000);
      assertThat(client.genericKubernetesResources(group + "/v1", "Tenant").withName("payments-" + suffix).get())
          .isNotNull();

      var clusterRole = client.rbac().clusterRoles().withName(role).get();
      assertThat(clusterRole.getMetadata().getLabels()).containsEntry("paved.dev/team", "payments")
          .containsEntry("paved.dev/environment", p.environment).containsEntry("app.kubernetes.io/managed-by", "paved");
      assertThat(clusterRole.getRules()).extracting(x -> x.getApiGroups() + " " + x.getResources()).containsExactly(
          "[apiextensions.k8s.io] [customresourcedefinitions]", "[scheduling.k8s.io] [priorityclasses]",
          "[" + group + "] [tenants]");
      var binding = client.rbac().clusterRoleBindings().withName(role).get();
      assertThat(binding.getSubjects()).singleElement()
          .satisfies(s -> assertThat(s.getKind() + " " + s.getName()).isEqualTo("User paved:team:payments"));
      // Exactly these kinds, for this team only.
      assertThat(allowed(client, "paved:team:payments", "scheduling.k8s.io", "priorityclasses")).isTrue();
      assertThat(allowed(client, "paved:team:payments", group, "tenants")).isTrue();
      assertThat(allowed(client, "paved:team:payments", "storage.k8s.io", "storageclasses")).isFalse();
      assertThat(allowed(client, "paved:team:discovery", "scheduling.k8s.io", "priorityclasses")).isFalse();
      assertThat(client.rbac().clusterRoles().withName("paved-team:" + p.environment + ":discovery").get()).isNull();
    }
  }

  @Test
  void aTeamWithoutTheGrantIsRefusedByPavedAndByTheApiserverAndNothingIsWritten(KubernetesClient client) {
    String ns = client.getNamespace();
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    LivePlatform p = platform(ns, "[PriorityClass]");
    // discovery's PriorityClass, which no team file grants it: added as if a check had missed it.
    EnvironmentState attack = ImpersonationIT.withUncheckedObjectsOf(p.state("c1"), "search",
        priorityClass("discovery-" + suffix));
    ObjectKey planted = new ObjectKey("scheduling.k8s.io/v1", "PriorityClass", null, "discovery-" + suffix);
    try (var engine = LivePlatform.engine(client)) {
      // Paved's own check before apply.
      TargetSync.Result checked = TargetSync.run(attack, p.prunePolicy(), "c1", engine.manager, engine.inventories,
          TargetSync.Options.defaults().confining(p.evaluate("c1").platform().orElseThrow()));
      assertThat(entries(checked).get(planted).action()).isEqualTo(Action.FAILED);
      assertThat(entries(checked).get(planted).reason()).contains("refused by tenancy before apply, nothing written",
          "team \"discovery\" may not create cluster-scoped PriorityClass objects",
          "under clusterKinds in teams/discovery.yaml");
      assertThat(client.scheduling().v1().priorityClasses().withName("discovery-" + suffix).get()).isNull();

      // Paved's check bypassed: the apiserver refuses the write as the team, though payments' grant exists.
      TargetSync.Result r = TargetSync.run(attack, p.prunePolicy(), "c2", engine.manager, engine.inventories,
          TargetSync.Options.defaults());
      ChangeSet.Entry refused = entries(r).get(planted);
      assertThat(refused.action()).isEqualTo(Action.FAILED);
      assertThat(refused.reason()).contains("User \"paved:team:discovery\" cannot patch resource \"priorityclasses\" "
          + "in API group \"scheduling.k8s.io\" at the cluster scope");
      assertThat(client.scheduling().v1().priorityClasses().withName("discovery-" + suffix).get()).isNull();
      assertThat(client.rbac().clusterRoleBindings().withName("paved-team:" + p.environment + ":payments").get())
          .isNotNull();
      assertThat(client.apps().deployments().withName("search").get()).isNotNull();
      assertThat(r.changes().partial()).isTrue();
    }
  }

  @Test
  void theGrantIsPrunedWithTheTeamsClusterKinds(KubernetesClient client) {
    String ns = client.getNamespace();
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    LivePlatform p = platform(ns, "[PriorityClass]").prune("allowMassDeletion: true")
        .manifest("checkout", "priority.yaml", priorityClass("payments-" + suffix));
    String role = "paved-team:" + p.environment + ":payments";
    try (var engine = LivePlatform.engine(client)) {
      assertThat(engine.sync(p, "c1").synced()).isTrue();
      assertThat(client.rbac().clusterRoles().withName(role).get()).isNotNull();

      // The platform takes the grant back (and the team its PriorityClass): both go.
      LivePlatform without = platform(ns, "").prune("allowMassDeletion: true");
      TargetSync.Result r = engine.sync(without, "c2");
      assertThat(r.synced()).as(r.changes().entries().toString()).isTrue();
      assertThat(r.changes().of(Action.DELETED)).extracting(x -> x.key().toString()).contains(
          "ClusterRole/" + role, "ClusterRoleBinding/" + role, "PriorityClass/payments-" + suffix);
      assertThat(client.rbac().clusterRoles().withName(role).get()).isNull();
      assertThat(client.rbac().clusterRoleBindings().withName(role).get()).isNull();
      assertThat(client.scheduling().v1().priorityClasses().withName("payments-" + suffix).get()).isNull();
    }
  }

  /**
   * The chart's rules for {@code teamClusterKinds} are what Kubernetes asks of whoever writes
   * these grants: a user holding exactly them (and not the granted kinds) applies the rendered
   * ClusterRole and ClusterRoleBinding; without {@code escalate} and {@code bind} the apiserver
   * refuses both (the user would grant what it does not hold), and a name the chart does not list
   * is refused.
   */
  @Test
  void theChartsRulesLetTheDaemonGrantKindsItDoesNotHoldItself(KubernetesClient client, @TempDir Path dir)
      throws IOException {
    String ns = client.getNamespace();
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    LivePlatform p = platform(ns, "[PriorityClass]");
    Helm helm = Helm.find();
    Path values = Files.writeString(dir.resolve("values.yaml"), """
        config:
          repos:
            - name: platform
              url: https://git.example.com/acme/platform-config.git
        teams: [payments]
        teamClusterKinds: {%s: [payments]}
        """.formatted(p.environment));
    Helm.Result rendered = helm.run("template", "paved", helm.chart().toString(), "-n", "paved-system", "-f",
        values.toString(), "--show-only", "templates/rbac.yaml");
    assertThat(rendered.ok()).as(rendered.output()).isTrue();
    JsonNode teamsRole = null;
    YAMLMapper yaml = new YAMLMapper();
    try (var parser = yaml.getFactory().createParser(rendered.output())) {
      var docs = yaml.readValues(parser, JsonNode.class);
      while (docs.hasNext()) {
        JsonNode d = docs.next();
        if (d != null && "ClusterRole".equals(d.path("kind").asText())
            && "paved-teams".equals(d.path("metadata").path("name").asText())) {
          teamsRole = d;
        }
      }
    }
    assertThat(teamsRole).as(rendered.output()).isNotNull();
    JsonNode chartRules = teamsRole.path("rules");
    // The same rules without escalate and bind.
    JsonNode withoutGrants = chartRules.deepCopy();
    withoutGrants.forEach(r -> {
      List<JsonNode> kept = new ArrayList<>();
      r.path("verbs").forEach(v -> {
        if (!v.asText().equals("escalate") && !v.asText().equals("bind")) {
          kept.add(v);
        }
      });
      ((ObjectNode) r).putArray("verbs").addAll(kept);
    });

    EnvironmentState state = p.state("c1");
    List<DesiredObject> grants = state.objects().stream()
        .filter(o -> o.key().kind().startsWith("ClusterRole") && o.service() == null).toList();
    assertThat(grants).extracting(o -> o.key().toString()).containsExactly(
        "ClusterRole/paved-team:" + p.environment + ":payments",
        "ClusterRoleBinding/paved-team:" + p.environment + ":payments");
    try (KubernetesClient daemon = as(client, "paved-daemon-" + suffix, chartRules);
        KubernetesClient lesser = as(client, "paved-lesser-" + suffix, withoutGrants)) {
      // Without escalate: the ClusterRole holds a kind the writer may not write itself.
      assertThat(refusal(lesser, grants.get(0).manifest()))
          .contains("is attempting to grant RBAC permissions not currently held");
      assertThat(client.rbac().clusterRoles().withName(grants.get(0).key().name()).get()).isNull();
      for (DesiredObject o : grants) {
        apply(daemon, o.manifest());
      }
      // Without bind: binding a role whose permissions the writer does not hold.
      ObjectNode rebind = grants.get(1).manifest().deepCopy();
      ((ObjectNode) rebind.path("subjects").get(0)).put("name", "paved:team:intruder");
      assertThat(refusal(lesser, rebind)).contains("is attempting to grant RBAC permissions not currently held");
      assertThat(client.rbac().clusterRoleBindings().withName(grants.get(1).key().name()).get().getSubjects())
          .singleElement().satisfies(x -> assertThat(x.getName()).isEqualTo("paved:team:payments"));
      assertThat(client.rbac().clusterRoleBindings().withName("paved-team:" + p.environment + ":payments").get()
          .getRoleRef().getName()).isEqualTo("paved-team:" + p.environment + ":payments");
      // A name the chart does not list: refused, nothing written.
      ObjectNode other = grants.get(0).manifest().deepCopy();
      ((ObjectNode) other.get("metadata")).put("name", "paved-team:" + p.environment + ":intruder");
      assertThat(refusal(daemon, other)).contains("cannot patch resource \"clusterroles\"");
      assertThat(client.rbac().clusterRoles().withName("paved-team:" + p.environment + ":intruder").get()).isNull();
    }
  }

  private static String refusal(KubernetesClient as, JsonNode manifest) {
    KubernetesClientException e = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
        () -> apply(as, manifest));
    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
    return e.getMessage();
  }

  private static void apply(KubernetesClient as, JsonNode manifest) {
    GenericKubernetesResource r = as.getKubernetesSerialization().convertValue(manifest,
        GenericKubernetesResource.class);
    as.resource(r).fieldManager("paved").forceConflicts().serverSideApply();
  }

  /** A client acting as user {@code user}, who holds exactly {@code rules} cluster-wide (once the authorizer says so). */
  private static KubernetesClient as(KubernetesClient admin, String user, JsonNode rules) {
    ObjectNode role = new YAMLMapper().createObjectNode().put("apiVersion", RBAC).put("kind", "ClusterRole");
    role.putObject("metadata").put("name", user);
    role.set("rules", rules);
    admin.resource(admin.getKubernetesSerialization().convertValue(role, GenericKubernetesResource.class))
        .fieldManager("test").forceConflicts().serverSideApply();
    admin.rbac().clusterRoleBindings().resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
        .withNewMetadata().withName(user).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(user).endRoleRef()
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
        .build()).create();
    Await.await("the authorizer grants " + user + " its rules", () -> Boolean.TRUE.equals(admin.authorization().v1()
        .subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec().withUser(user)
            .withNewResourceAttributes().withVerb("list").withGroup("rbac.authorization.k8s.io")
            .withResource("clusterroles").endResourceAttributes().endSpec().build()).getStatus().getAllowed()));
    Config config = new ConfigBuilder(admin.getConfiguration()).build();
    config.setImpersonateUsername(user);
    config.setImpersonateGroups();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
