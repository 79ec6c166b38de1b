package dev.paved.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Diagnostic;
import dev.paved.config.Fixtures;
import dev.paved.config.LoadResult;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.config.Workers;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RendererTest {

  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final String SERVICE = "services/checkout/service.yaml";

  /** Three environments (dev, staging, prod), a full service, overrides and raw manifests. */
  private static Fixtures repo() {
    return Fixtures.minimal()
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            labels:
              cost-center: shared
            """)
        .file("environments/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: staging
            cluster: main
            """)
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            createNamespaces: false
            promotesFrom: staging
            """)
        .file(SERVICE, """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: payments
            labels:
              app.kubernetes.io/part-of: shop
            image:
              repository: registry.example.com/payments/checkout
              tag: "1.4.2"
            args: ["--port=8080"]
            ports:
              - name: http
                port: 8080
              - name: metrics
                port: 9090
                protocol: TCP
            variables:
              LOG_LEVEL: info
              ENVIRONMENT: ${environment.name}
              DB_PASSWORD:
                secret: {name: checkout-db, key: password}
              FEATURE_FLAGS:
                configMap: {name: flags, key: checkout, optional: true}
            resources:
              requests: {cpu: 250m, memory: 256Mi}
              limits: {memory: 512Mi}
            probes:
              liveness:
                http: {path: /healthz, port: http}
                periodSeconds: 10
              readiness:
                tcp: {port: 8080}
              startup:
                exec: {command: [/bin/check]}
            route:
              host: checkout.${environment.name}.example.com
              tlsSecret: checkout-tls
              ingressClassName: nginx
            """)
        .file("services/checkout/env/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            replicas: 3
            """)
        .file("services/checkout/env/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            autoscaling:
              minReplicas: 2
              maxReplicas: 6
            """)
        .file("services/checkout/env/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            image:
              tag: "1.4.1"
            replicas: 3
            route:
              host: checkout.example.com
            """)
        .file("services/checkout/manifests/extra.yaml", """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: checkout-cleanup
              labels:
                app.kubernetes.io/name: cleanup
                paved.dev/team: someone-else
              annotations:
                note: keep me
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                        - name: cleanup
                          image: registry.example.com/payments/cleanup:1.0.0
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: checkout-shared
              namespace: shared-config
            data:
              key: value
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: checkout-reader
            rules:
              - apiGroups: [""]
                resources: [configmaps]
                verbs: [get]
            """);
  }

  private static Platform platform(Fixtures f) {
    LoadResult r = f.load();
    assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    return r.platform().orElseThrow();
  }

  private static RenderResult render(Fixtures f) {
    RenderResult r = Renderer.render(platform(f), COMMIT);
    assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    return r;
  }

  private static EnvironmentState env(RenderResult r, String name) {
    return r.state().environment(name).orElseThrow();
  }

  private static List<DesiredObject> ofKind(EnvironmentState s, String kind) {
    return s.objects().stream().filter(o -> o.key().kind().equals(kind)).toList();
  }

  private static DesiredObject one(EnvironmentState s, String kind) {
    List<DesiredObject> found = ofKind(s, kind);
    assertThat(found).as("%s objects in %s", kind, s.environment()).hasSize(1);
    return found.get(0);
  }

  // ---------------------------------------------------------------- object kinds

  @Test
  void rendersTheObjectsOfEachEnvironmentInApplyOrder() {
    RenderResult r = render(repo());

    assertThat(env(r, "dev").objects()).extracting(o -> o.key().toString()).containsExactly(
        "Namespace/payments-dev",
        "ServiceAccount/payments-dev/checkout",
        "ConfigMap/shared-config/checkout-shared",
        "ClusterRole/checkout-reader",
        "RoleBinding/payments-dev/paved-team-payments",
        "Service/payments-dev/checkout",
        "Deployment/payments-dev/checkout",
        "CronJob/payments-dev/checkout-cleanup",
        "Ingress/payments-dev/checkout");
    assertThat(env(r, "staging").objects()).extracting(o -> o.key().kind())
        .contains("HorizontalPodAutoscaler", "PodDisruptionBudget");
    assertThat(env(r, "prod").objects()).extracting(o -> o.key().kind())
        .contains("PodDisruptionBudget").doesNotContain("Namespace", "HorizontalPodAutoscaler");
    assertThat(r.workloads()).hasSize(3);
  }

  @Test
  void serviceAccount() {
    JsonNode sa = one(env(render(repo()), "dev"), "ServiceAccount").manifest();

    assertThat(sa.path("apiVersion").asText()).isEqualTo("v1");
    assertThat(sa.at("/metadata/name").asText()).isEqualTo("checkout");
    assertThat(sa.at("/metadata/namespace").asText()).isEqualTo("payments-dev");
    assertThat(sa.path("automountServiceAccountToken").asBoolean(true)).isFalse();
  }

  @Test
  void deployment() {
    JsonNode d = one(env(render(repo()), "dev"), "Deployment").manifest();

    assertThat(d.path("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(d.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(d.at("/spec/selector/matchLabels")).hasSize(2);
    assertThat(d.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("checkout");
    assertThat(d.at("/spec/selector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("checkout-dev");
    JsonNode pod = d.at("/spec/template/spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("checkout");
    JsonNode c = pod.at("/containers/0");
    assertThat(pod.path("containers")).hasSize(1);
    assertThat(c.path("name").asText()).isEqualTo("checkout");
    assertThat(c.path("image").asText()).isEqualTo("registry.example.com/payments/checkout:1.4.2");
    assertThat(c.at("/args/0").asText()).isEqualTo("--port=8080");
    assertThat(c.has("command")).isFalse();
    assertThat(c.at("/ports/0/name").asText()).isEqualTo("http");
    assertThat(c.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(c.at("/ports/1/protocol").asText()).isEqualTo("TCP");
    assertThat(c.at("/resources/requests/cpu").asText()).isEqualTo("250m");
    assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
    assertThat(c.at("/resources/limits").has("cpu")).isFalse();
    assertThat(c.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(c.at("/livenessProbe/periodSeconds").asInt()).isEqualTo(10);
    assertThat(c.at("/readinessProbe/tcpSocket/port").isInt()).isTrue();
    assertThat(c.at("/readinessProbe/tcpSocket/port").asInt()).isEqualTo(8080);
    assertThat(c.at("/startupProbe/exec/command/0").asText()).isEqualTo("/bin/check");
  }

  @Test
  void variablesBecomeEnvWithValueFromForSecretsAndConfigMaps() {
    JsonNode c = one(env(render(repo()), "dev"), "Deployment").manifest().at("/spec/template/spec/containers/0");
    Map<String, JsonNode> env = new LinkedHashMap<>();
    c.path("env").forEach(e -> env.put(e.path("name").asText(), e));

    assertThat(env.keySet()).containsExactly("DB_PASSWORD", "ENVIRONMENT", "FEATURE_FLAGS", "LOG_LEVEL");
    assertThat(env.get("LOG_LEVEL").path("value").asText()).isEqualTo("info");
    assertThat(env.get("ENVIRONMENT").path("value").asText()).isEqualTo("dev");
    JsonNode secret = env.get("DB_PASSWORD");
    assertThat(secret.has("value")).isFalse();
    assertThat(secret.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("checkout-db");
    assertThat(secret.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
    assertThat(secret.at("/valueFrom/secretKeyRef").has("optional")).isFalse();
    JsonNode cm = env.get("FEATURE_FLAGS");
    assertThat(cm.at("/valueFrom/configMapKeyRef/name").asText()).isEqualTo("flags");
    assertThat(cm.at("/valueFrom/configMapKeyRef/optional").asBoolean()).isTrue();
  }

  @Test
  void service() {
    JsonNode s = one(env(render(repo()), "dev"), "Service").manifest();

    assertThat(s.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(s.at("/spec/selector")).hasSize(2);
    assertThat(s.at("/spec/ports")).hasSize(2);
    assertThat(s.at("/spec/ports/1/name").asText()).isEqualTo("metrics");
    assertThat(s.at("/spec/ports/1/port").asInt()).isEqualTo(9090);
    assertThat(s.at("/spec/ports/1/targetPort").asText()).isEqualTo("metrics");
  }

  @Test
  void noServiceWithoutPorts() {
    RenderResult r = render(Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/worker
          tag: "1.0.0"
        """));

    assertThat(ofKind(env(r, "dev"), "Service")).isEmpty();
    assertThat(ofKind(env(r, "dev"), "Deployment")).hasSize(1);
    assertThat(one(env(r, "dev"), "Deployment").manifest().at("/spec/replicas").asInt()).isEqualTo(1);
  }

  @Test
  void autoscalingRendersAnHpaAndTheDeploymentHasNoReplicas() {
    EnvironmentState staging = env(render(repo()), "staging");
    JsonNode hpa = one(staging, "HorizontalPodAutoscaler").manifest();
    JsonNode deployment = one(staging, "Deployment").manifest();

    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
    assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(6);
    assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
    assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("checkout");
    assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
    assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(80);
    assertThat(deployment.path("spec").has("replicas")).isFalse();
    assertThat(ofKind(env(render(repo()), "dev"), "HorizontalPodAutoscaler")).isEmpty();
  }

  @Test
  void pdbOnlyInStagingAndProdWithMoreThanOneReplica() {
    RenderResult r = render(repo());
    JsonNode pdb = one(env(r, "prod"), "PodDisruptionBudget").manifest();

    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.at("/spec/selector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("checkout-prod");
    assertThat(ofKind(env(r, "staging"), "PodDisruptionBudget")).hasSize(1); // autoscaling min 2
    assertThat(ofKind(env(r, "dev"), "PodDisruptionBudget")).as("dev tier, 3 replicas").isEmpty();

    RenderResult single = render(repo().file("services/checkout/env/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 1
        """));
    assertThat(ofKind(env(single, "prod"), "PodDisruptionBudget")).as("prod, 1 replica").isEmpty();
  }

  @Test
  void ingressWithHostAndTls() {
    RenderResult r = render(repo());
    JsonNode dev = one(env(r, "dev"), "Ingress").manifest();
    JsonNode prod = one(env(r, "prod"), "Ingress").manifest();

    assertThat(dev.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
    assertThat(dev.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
    assertThat(dev.at("/spec/rules/0/host").asText()).isEqualTo("checkout.dev.example.com");
    assertThat(dev.at("/spec/rules/0/http/paths/0/path").asText()).isEqualTo("/");
    assertThat(dev.at("/spec/rules/0/http/paths/0/pathType").asText()).isEqualTo("Prefix");
    assertThat(dev.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo("checkout");
    assertThat(dev.at("/spec/rules/0/http/paths/0/backend/service/port/name").asText()).isEqualTo("http");
    assertThat(dev.at("/spec/tls/0/hosts/0").asText()).isEqualTo("checkout.dev.example.com");
    assertThat(dev.at("/spec/tls/0/secretName").asText()).isEqualTo("checkout-tls");
    // the override's route replaces host only; tls and class deep-merge from service.yaml
    assertThat(prod.at("/spec/rules/0/host").asText()).isEqualTo("checkout.example.com");
    assertThat(prod.at("/spec/tls/0/hosts/0").asText()).isEqualTo("checkout.example.com");
  }

  @Test
  void ingressWithoutTlsAndWithNumericPort() {
    RenderResult r = render(Fixtures.minimal().file("services/checkout/env/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        route:
          host: checkout.example.com
          port: 8080
          path: /api
        """));
    JsonNode ing = one(env(r, "dev"), "Ingress").manifest();

    assertThat(ing.path("spec").has("tls")).isFalse();
    assertThat(ing.at("/spec/rules/0/http/paths/0/backend/service/port/number").asInt()).isEqualTo(8080);
    assertThat(ing.at("/spec/rules/0/http/paths/0/path").asText()).isEqualTo("/api");
  }

  @Test
  void namespaceOnlyWhenTheEnvironmentCreatesThem() {
    RenderResult r = render(repo());
    JsonNode ns = one(env(r, "dev"), "Namespace").manifest();

    assertThat(ns.at("/metadata/name").asText()).isEqualTo("payments-dev");
    assertThat(ns.at("/metadata").has("namespace")).isFalse();
    assertThat(ns.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("paved");
    assertThat(ns.at("/metadata/labels/paved.dev~1environment").asText()).isEqualTo("dev");
    assertThat(ns.at("/metadata/labels/paved.dev~1team").asText()).isEqualTo("payments");
    assertThat(ns.at("/metadata/labels/cost-center").asText()).isEqualTo("shared");
    assertThat(ns.at("/metadata/annotations/paved.dev~1source").asText()).isEqualTo("environments/dev.yaml");
    assertThat(one(env(r, "dev"), "Namespace").service()).isNull();
    assertThat(ofKind(env(r, "prod"), "Namespace")).isEmpty();
  }

  @Test
  void aRoleBindingPerTeamAndNamespaceGrantsTheTeamsIdentityUnlessTheEnvironmentOptsOut() {
    RenderResult r = render(repo().file("environments/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: staging
            cluster: main
            rbac:
              manage: false
            """).file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            rbac:
              impersonate: false
            """));

    DesiredObject binding = one(env(r, "dev"), "RoleBinding");
    assertThat(binding.key().toString()).isEqualTo("RoleBinding/payments-dev/paved-team-payments");
    assertThat(binding.service()).isNull();
    assertThat(binding.manifest().at("/roleRef").toString())
        .isEqualTo("{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"paved-team\"}");
    assertThat(binding.manifest().at("/subjects/0/name").asText()).isEqualTo("paved:team:payments");
    assertThat(binding.manifest().at("/metadata/labels/paved.dev~1environment").asText()).isEqualTo("dev");
    assertThat(env(r, "dev").identities()).containsExactly(Map.entry("payments", dev.paved.config.Declarations.Team.defaultIdentity("payments")));
    // manage: false - still written as the team, the platform grants it
    assertThat(ofKind(env(r, "staging"), "RoleBinding")).isEmpty();
    assertThat(env(r, "staging").identities()).containsKey("payments");
    // impersonate: false - everything as Paved
    assertThat(ofKind(env(r, "prod"), "RoleBinding")).isEmpty();
    assertThat(env(r, "prod").identities()).isEmpty();
  }

  /** {@link #repo()} where team payments may create PriorityClasses and Tenants (a cluster-scoped CRD of the repo). */
  private static Fixtures withClusterKinds(String identity) {
    return repo().file("teams/payments.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/payments"]
            clusterKinds: [Tenant, PriorityClass]
            """ + identity)
        .file("services/checkout/manifests/crd.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: tenants.acme.example.com
            spec:
              group: acme.example.com
              scope: Cluster
              names: {kind: Tenant, plural: tenants, singular: tenant, listKind: TenantList}
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """)
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            rbac:
              impersonate: false
            """);
  }

  @Test
  void aTeamsClusterKindsGetAClusterRoleAndBindingToItsIdentityPerEnvironment() {
    RenderResult r = render(withClusterKinds(""));

    assertThat(ofKind(env(r, "dev"), "ClusterRole")).extracting(o -> o.key().name())
        .containsExactly("checkout-reader", "paved-team:dev:payments");
    DesiredObject role = ofKind(env(r, "dev"), "ClusterRole").get(1);
    assertThat(role.service()).isNull();
    assertThat(role.key().namespace()).isNull();
    // Exactly the granted kinds' resources, one rule per API group (sorted), the verbs of server-side apply and reads.
    assertThat(role.manifest().at("/rules").toString()).isEqualTo("["
        + "{\"apiGroups\":[\"acme.example.com\"],\"resources\":[\"tenants\"],"
        + "\"verbs\":[\"create\",\"get\",\"list\",\"patch\",\"watch\"]},"
        + "{\"apiGroups\":[\"scheduling.k8s.io\"],\"resources\":[\"priorityclasses\"],"
        + "\"verbs\":[\"create\",\"get\",\"list\",\"patch\",\"watch\"]}]");
    assertThat(role.manifest().at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("paved");
    assertThat(role.manifest().at("/metadata/labels/paved.dev~1environment").asText()).isEqualTo("dev");
    assertThat(role.manifest().at("/metadata/labels/paved.dev~1team").asText()).isEqualTo("payments");
    assertThat(role.manifest().at("/metadata/labels/cost-center").asText()).isEqualTo("shared");
    assertThat(role.manifest().at("/metadata/annotations/paved.dev~1source").asText()).isEqualTo("teams/payments.yaml");
    assertThat(role.manifest().at("/metadata/annotations/paved.dev~1source-commit").asText()).isEqualTo(COMMIT);
    assertThat(role.origin().toString()).startsWith("teams/payments.yaml:4:");

    DesiredObject binding = one(env(r, "dev"), "ClusterRoleBinding");
    assertThat(binding.key().toString()).isEqualTo("ClusterRoleBinding/paved-team:dev:payments");
    assertThat(binding.service()).isNull();
    assertThat(binding.manifest().at("/roleRef").toString()).isEqualTo(
        "{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"paved-team:dev:payments\"}");
    assertThat(binding.manifest().at("/subjects").toString()).isEqualTo(
        "[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"paved:team:payments\"}]");
    assertThat(binding.manifest().at("/metadata/labels/paved.dev~1team").asText()).isEqualTo("payments");

    // Another environment on the same cluster: names of its own, never shared.
    assertThat(ofKind(env(r, "staging"), "ClusterRoleBinding")).extracting(o -> o.key().name())
        .containsExactly("paved-team:staging:payments");
    // impersonate: false - Paved writes as itself, grants nothing.
    assertThat(ofKind(env(r, "prod"), "ClusterRoleBinding")).isEmpty();
    assertThat(ofKind(env(r, "prod"), "ClusterRole")).extracting(o -> o.key().name()).containsExactly("checkout-reader");
    // Applied after the namespaces and CRDs, before the team's objects' own RBAC and workloads.
    assertThat(env(r, "dev").objects()).extracting(o -> o.key().toString()).containsSubsequence(
        "CustomResourceDefinition/tenants.acme.example.com", "Namespace/payments-dev",
        "ClusterRole/paved-team:dev:payments", "ClusterRoleBinding/paved-team:dev:payments",
        "RoleBinding/payments-dev/paved-team-payments", "Deployment/payments-dev/checkout");
  }

  @Test
  void theClusterRoleBindingNamesTheTeamsDeclaredIdentityAndStaysOutWhenTheEnvironmentManagesNoRbac() {
    RenderResult r = render(withClusterKinds("identity: {user: ci-payments, groups: [payments-deployers]}\n")
        .file("environments/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: staging
            cluster: main
            rbac:
              manage: false
            """));

    assertThat(one(env(r, "dev"), "ClusterRoleBinding").manifest().at("/subjects/0/name").asText())
        .isEqualTo("ci-payments");
    // manage: false - the platform grants the identity itself.
    assertThat(ofKind(env(r, "staging"), "ClusterRoleBinding")).isEmpty();
    assertThat(ofKind(env(r, "staging"), "ClusterRole")).extracting(o -> o.key().name())
        .containsExactly("checkout-reader");
  }

  @Test
  void noClusterRoleForATeamWithoutClusterKindsNorWhereTheTeamDoesNotRun() {
    // payments runs in dev, staging and prod but its file grants no cluster-scoped kind.
    RenderResult r = render(repo());
    for (String e : List.of("dev", "staging", "prod")) {
      assertThat(ofKind(env(r, e), "ClusterRoleBinding")).as(e).isEmpty();
      assertThat(ofKind(env(r, e), "ClusterRole")).as(e).extracting(o -> o.key().name())
          .containsExactly("checkout-reader");
    }
    // discovery may create PriorityClasses but has no service: nothing of it anywhere.
    RenderResult other = render(Fixtures.minimal().file("teams/discovery.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Team
        owners: ["@acme/discovery"]
        clusterKinds: [PriorityClass]
        """));
    assertThat(env(other, "dev").objects()).extracting(o -> o.key().kind())
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
  }

  @Test
  void twoTeamsGetRolesOfTheirOwnAndTheRenderIsDeterministic() {
    Fixtures f = withClusterKinds("").file("teams/discovery.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/discovery"]
            clusterKinds: [PriorityClass, IngressClass, StorageClass]
            """)
        .file("services/search/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: discovery
            image: {repository: registry.example.com/discovery/search, tag: "2.0"}
            """);
    RenderResult r = render(f);

    assertThat(ofKind(env(r, "dev"), "ClusterRoleBinding")).extracting(o -> o.key().name())
        .containsExactly("paved-team:dev:discovery", "paved-team:dev:payments");
    DesiredObject discovery = ofKind(env(r, "dev"), "ClusterRole").stream()
        .filter(o -> o.key().name().equals("paved-team:dev:discovery")).findFirst().orElseThrow();
    assertThat(discovery.manifest().at("/rules")).extracting(rule -> rule.at("/apiGroups/0").asText()
        + ":" + rule.get("resources")).containsExactly(
        "networking.k8s.io:[\"ingressclasses\"]", "scheduling.k8s.io:[\"priorityclasses\"]",
        "storage.k8s.io:[\"storageclasses\"]");
    assertThat(stream(render(f))).isEqualTo(stream(r));
  }

  @Test
  void sharedNamespaceHasNoTeamLabel() {
    RenderResult r = render(Fixtures.minimal().team("discovery")
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            namespace: apps
            """)
        .file("services/search/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: discovery
            image: {repository: registry.example.com/discovery/search, tag: "2.0"}
            """));

    DesiredObject ns = one(env(r, "dev"), "Namespace");
    assertThat(ns.manifest().at("/metadata/name").asText()).isEqualTo("apps");
    assertThat(ns.manifest().at("/metadata/labels").has(Labels.TEAM)).isFalse();
    assertThat(ofKind(env(r, "dev"), "Deployment")).hasSize(2);
  }

  // ---------------------------------------------------------------- raw manifests

  @Test
  void rawManifestsGetTheServiceNamespaceAndPavedLabelsButKeepTheirOwn() {
    EnvironmentState dev = env(render(repo()), "dev");
    JsonNode cron = one(dev, "CronJob").manifest();
    JsonNode cm = one(dev, "ConfigMap").manifest();
    JsonNode role = one(dev, "ClusterRole").manifest();

    assertThat(cron.at("/metadata/namespace").asText()).isEqualTo("payments-dev");
    assertThat(cron.at("/metadata/labels/app.kubernetes.io~1name").asText()).as("own label kept").isEqualTo("cleanup");
    assertThat(cron.at("/metadata/labels/paved.dev~1team").asText()).as("paved labels win").isEqualTo("payments");
    assertThat(cron.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("paved");
    assertThat(cron.at("/metadata/labels/app.kubernetes.io~1instance").asText()).isEqualTo("checkout-dev");
    assertThat(cron.at("/metadata/annotations/note").asText()).isEqualTo("keep me");
    assertThat(cron.at("/metadata/annotations/paved.dev~1source").asText())
        .isEqualTo("services/checkout/manifests/extra.yaml");
    assertThat(cron.at("/metadata/annotations/paved.dev~1source-commit").asText()).isEqualTo(COMMIT);
    assertThat(cron.at("/spec/schedule").asText()).isEqualTo("0 3 * * *");
    assertThat(cm.at("/metadata/namespace").asText()).as("own namespace kept").isEqualTo("shared-config");
    assertThat(cm.at("/data/key").asText()).isEqualTo("value");
    assertThat(role.at("/metadata").has("namespace")).as("cluster-scoped").isFalse();
    assertThat(role.at("/metadata/labels/paved.dev~1service").asText()).isEqualTo("checkout");
  }

  @Test
  void rawManifestsAreNotModifiedInThePlatform() {
    Platform p = platform(repo());
    JsonNode before = p.services().get("checkout").manifests().get(0).document().tree().deepCopy();

    Renderer.render(p, COMMIT);

    assertThat(p.services().get("checkout").manifests().get(0).document().tree()).isEqualTo(before);
  }

  @Test
  void rawManifestWithEmptyLabelsAndAnnotationsIsRendered() {
    RenderResult r = render(Fixtures.minimal().file("services/checkout/manifests/cm.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: empty-labels
          labels:
          annotations: {}
        """));
    JsonNode cm = one(env(r, "dev"), "ConfigMap").manifest();

    assertThat(cm.at("/metadata/labels/paved.dev~1service").asText()).isEqualTo("checkout");
    assertThat(cm.at("/metadata/annotations/paved.dev~1source-commit").asText()).isEqualTo(COMMIT);
  }

  @Test
  void rawManifestRenderedTwiceIsADuplicateObjectError() {
    RenderResult r = Renderer.render(platform(Fixtures.minimal().file("services/checkout/manifests/sa.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: checkout
        """)), COMMIT);

    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("duplicate-object");
      assertThat(d.location()).isEqualTo(new Location("services/checkout/manifests/sa.yaml", 1, 1));
      assertThat(d.message()).contains("ServiceAccount/payments-dev/checkout");
    });
    assertThat(ofKind(env(r, "dev"), "ServiceAccount")).hasSize(1);
  }

  // ---------------------------------------------------------------- labels and annotations

  @Test
  void everyServiceObjectCarriesThePavedLabelsAndAnnotations() {
    EnvironmentState dev = env(render(repo()), "dev");

    for (DesiredObject o : dev.ofService("checkout")) {
      JsonNode labels = o.manifest().at("/metadata/labels");
      assertThat(labels.path(Labels.NAME).asText()).as("%s", o.key()).isNotEmpty();
      assertThat(labels.path(Labels.INSTANCE).asText()).as("%s", o.key()).isEqualTo("checkout-dev");
      assertThat(labels.path(Labels.MANAGED_BY).asText()).as("%s", o.key()).isEqualTo("paved");
      assertThat(labels.path(Labels.ENVIRONMENT).asText()).as("%s", o.key()).isEqualTo("dev");
      assertThat(labels.path(Labels.SERVICE).asText()).as("%s", o.key()).isEqualTo("checkout");
      assertThat(labels.path(Labels.TEAM).asText()).as("%s", o.key()).isEqualTo("payments");
      assertThat(labels.path("cost-center").asText()).as("environment label on %s", o.key()).isEqualTo("shared");
      assertThat(labels.path("app.kubernetes.io/part-of").asText()).as("service label on %s", o.key())
          .isEqualTo("shop");
      JsonNode ann = o.manifest().at("/metadata/annotations");
      assertThat(ann.path(Labels.SOURCE_COMMIT).asText()).as("%s", o.key()).isEqualTo(COMMIT);
      assertThat(ann.path(Labels.SOURCE_FILE).asText()).as("%s", o.key()).startsWith("services/checkout/");
      if (!o.key().kind().equals("Deployment")) {
        assertThat(labels.has(Labels.VERSION)).as("no version label on %s", o.key()).isFalse();
      }
    }
    assertThat(dev.ofService("checkout")).hasSize(7);
    assertThat(one(dev, "Service").manifest().at("/metadata/annotations/paved.dev~1source").asText())
        .isEqualTo(SERVICE);
    assertThat(one(dev, "Service").manifest().at("/metadata/labels/app.kubernetes.io~1name").asText())
        .isEqualTo("checkout");
  }

  @Test
  void versionLabelOnlyOnTheDeploymentAndItsPodTemplate() {
    EnvironmentState prod = env(render(repo()), "prod");
    JsonNode d = one(prod, "Deployment").manifest();

    assertThat(d.at("/metadata/labels/app.kubernetes.io~1version").asText()).isEqualTo("1.4.1");
    assertThat(d.at("/spec/template/metadata/labels/app.kubernetes.io~1version").asText()).isEqualTo("1.4.1");
    assertThat(d.at("/spec/template/metadata/labels/paved.dev~1team").asText()).isEqualTo("payments");
    assertThat(d.at("/spec/selector/matchLabels").has(Labels.VERSION)).isFalse();
  }

  @Test
  void noVersionLabelWhenPinnedByDigest() {
    String digest = "sha256:" + "a".repeat(64);
    RenderResult r = render(Fixtures.minimal().file("services/checkout/env/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        image:
          digest: %s
        """.formatted(digest)));
    JsonNode d = one(env(r, "dev"), "Deployment").manifest();

    assertThat(d.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("registry.example.com/payments/checkout@" + digest);
    assertThat(d.at("/metadata/labels").has(Labels.VERSION)).isFalse();
  }

  @Test
  void fieldsPointBackToTheConfigLines() {
    EnvironmentState prod = env(render(repo()), "prod");
    DesiredObject d = one(prod, "Deployment");

    assertThat(d.locate("/spec/template/spec/containers/0/image#tag"))
        .isEqualTo(new Location("services/checkout/env/prod.yaml", 4, 8));
    assertThat(d.locate("/spec/replicas")).isEqualTo(new Location("services/checkout/env/prod.yaml", 5, 11));
    assertThat(d.locate("/spec/template/spec/containers/0/resources/requests/cpu"))
        .isEqualTo(new Location(SERVICE, 24, 13));
    assertThat(d.origin()).isEqualTo(new Location(SERVICE, 1, 1));
    DesiredObject hpa = one(env(render(repo()), "staging"), "HorizontalPodAutoscaler");
    assertThat(hpa.locate("/spec/maxReplicas")).isEqualTo(new Location("services/checkout/env/staging.yaml", 5, 16));
  }

  // ---------------------------------------------------------------- determinism

  @Test
  void renderingIsDeterministic() {
    Platform p = platform(repo());
    String first = stream(Renderer.render(p, COMMIT));
    String second = stream(Renderer.render(platform(repo()), COMMIT));

    assertThat(second).isEqualTo(first);
    assertThat(first).contains("kind: Deployment").contains("paved.dev/source-commit: " + COMMIT);
  }

  @Test
  void largeEnvironmentsRenderSideBySideOnTwoWorkers() {
    // The CLI and the daemon render on at least two workers (cli.Main.coreWorkers). When that was
    // the JVM's common pool, a second level of fork/join inside the renderer's parallel stream (a
    // parallel sort of each environment) livelocked the JDK 17 pool: validate never returned for
    // 3,000 services, nor this test for 6,000.
    int services = 6_000;
    Fixtures repo = Fixtures.minimal().team("t0").team("t1").team("t2")
        .file("environments/staging.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: staging\n"
            + "cluster: main\n")
        .file("environments/prod.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Environment\ntier: prod\n"
            + "cluster: main\n");
    for (int i = 0; i < services; i++) {
      repo.file("services/svc-" + i + "/service.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Service\nteam: t"
          + (i % 3) + "\nimage:\n  repository: registry.example.com/svc-" + i + "\n  tag: \"1.0.0\"\n"
          + "ports:\n  - name: http\n    port: 8080\n");
    }
    Platform p = platform(repo);

    RenderResult r;
    try (Workers two = Workers.of(2, "render-test")) {
      r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
          () -> Renderer.render(p, COMMIT, two));
    }

    assertThat(r.diagnostics()).isEmpty();
    for (String environment : List.of("dev", "staging", "prod")) {
      List<DesiredObject> objects = env(r, environment).objects();
      // ServiceAccount, Deployment, Service per service (the fixture's checkout too), and the
      // Namespaces of the four teams
      assertThat(objects).hasSize(3 * (services + 1) + 4 + 4); // + a RoleBinding per team
      for (int i = 1; i < objects.size(); i++) {
        assertThat(objects.get(i - 1).key().compareTo(objects.get(i).key())).isNegative();
      }
    }
  }

  @Test
  void renderingDoesNotDependOnFileOrder() {
    ConfigTree tree = repo().tree();
    List<String> paths = new ArrayList<>(tree.files().keySet());
    Collections.reverse(paths);
    Map<String, SourceFile> reversed = new LinkedHashMap<>();
    paths.forEach(path -> reversed.put(path, tree.files().get(path)));
    Collections.shuffle(paths, new java.util.Random(42));
    Map<String, SourceFile> shuffled = new LinkedHashMap<>();
    paths.forEach(path -> shuffled.put(path, tree.files().get(path)));

    String a = stream(Renderer.render(dev.paved.config.ConfigLoader.load(tree).platform().orElseThrow(), COMMIT));
    String b = stream(Renderer.render(dev.paved.config.ConfigLoader.load(new ConfigTree("x", reversed))
        .platform().orElseThrow(), COMMIT));
    String c = stream(Renderer.render(dev.paved.config.ConfigLoader.load(new ConfigTree("y", shuffled))
        .platform().orElseThrow(), COMMIT));

    assertThat(b).isEqualTo(a);
    assertThat(c).isEqualTo(a);
  }

  @Test
  void yamlStreamIsOneDocumentPerObject() {
    EnvironmentState dev = env(render(repo()), "dev");
    String yaml = Manifests.toYamlStream(dev.objects());

    assertThat(yaml.split("(?m)^---$", -1)).hasSize(dev.objects().size() + 1);
    assertThat(yaml).startsWith("---\n");
    // strings that look like numbers or booleans stay quoted, so they stay strings
    String quoted = Manifests.toYaml(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
        .put("version", "1.10").put("flag", "true").put("port", 8080));
    assertThat(quoted).contains("version: \"1.10\"").contains("flag: \"true\"").contains("port: 8080");
  }

  private static String stream(RenderResult r) {
    StringBuilder b = new StringBuilder();
    r.state().environments().forEach((name, s) -> b.append("# ").append(name).append('\n')
        .append(Manifests.toYamlStream(s.objects())));
    return b.toString();
  }

  // ---------------------------------------------------------------- Fabric8 round trip

  @Test
  void everyRenderedObjectRoundTripsThroughTheTypedModel() {
    RenderResult r = render(repo());
    int checked = 0;
    for (EnvironmentState s : r.state().environments().values()) {
      for (DesiredObject o : s.objects()) {
        Object typed = Manifests.serialization().unmarshal(o.yaml());

        assertThat(typed).as("%s", o.key()).isInstanceOf(HasMetadata.class)
            .isNotInstanceOf(GenericKubernetesResource.class);
        assertThat(((HasMetadata) typed).getKind()).isEqualTo(o.key().kind());
        JsonNode back = Manifests.toTree(typed);
        assertThat(back.equals(RendererTest::sameValue, o.manifest()))
            .as("%s round-trips:%n%s%nvs%n%s", o.key(), back, o.manifest()).isTrue();
        assertThat(additionalProperties(typed)).as("unknown fields of %s", o.key()).isEmpty();
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(20);
  }

  @Test
  void roundTripCheckCatchesAnUnknownField() {
    Object typed = Manifests.serialization().unmarshal("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: x
        spec:
          replica: 2
          template:
            spec:
              containers:
                - name: x
                  image: x
                  imagePullPolcy: Always
        """);

    assertThat(typed).isInstanceOf(io.fabric8.kubernetes.api.model.apps.Deployment.class);
    assertThat(additionalProperties(typed)).containsExactlyInAnyOrder(
        "$.getSpec: [replica]", "$.getSpec.getTemplate.getSpec.getContainers[0]: [imagePullPolcy]");
  }

  /** Numbers compare by value (a raw manifest's 2 may be a long, the model's an int). */
  private static int sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  }

  /** Every non-empty {@code additionalProperties} map in a Fabric8 object graph, by path. */
  private static List<String> additionalProperties(Object root) {
    List<String> found = new ArrayList<>();
    walk(root, "$", found, Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void walk(Object o, String path, List<String> found, Set<Object> seen) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, found, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model") || !seen.add(o)) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class
          || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + ": " + extra.keySet());
        }
      } else {
        walk(value, path + "." + m.getName(), found, seen);
      }
    }
  }
}
