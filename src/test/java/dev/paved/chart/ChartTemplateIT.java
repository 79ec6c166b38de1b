package dev.paved.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.paved.reconcile.DaemonConfig;
import dev.paved.testing.Helm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart {@code charts/paved} through helm itself: {@code helm lint --strict}, what {@code
 * helm template} renders (security context, probes, RBAC, the daemon config the daemon accepts)
 * and bad values refused with the value's name (values.schema.json).
 */
class ChartTemplateIT {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REPO = """
      config:
        repos:
          - name: platform
            url: https://git.example.com/acme/platform-config.git
            pollInterval: 30s
            credentials: {username: x-access-token, tokenFile: /etc/paved/secrets/git-token}
            webhookSecretFile: /etc/paved/secrets/webhook-platform
            allowHistoryRewrite: true
      """;

  private static Helm helm;

  @TempDir
  Path dir;

  @BeforeAll
  static void findHelm() {
    helm = Helm.find();
  }

  private List<JsonNode> template(String values, String... more) throws IOException {
    Helm.Result r = render(values, more);
    assertThat(r.ok()).as(r.output()).isTrue();
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(r.output())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(n -> {
        if (n != null && !n.isNull() && !n.isEmpty()) {
          objects.add(n);
        }
      });
    }
    return objects;
  }

  private Helm.Result render(String values, String... more) throws IOException {
    Path file = Files.writeString(dir.resolve("values-" + System.nanoTime() + ".yaml"), values);
    List<String> args = new ArrayList<>(List.of("template", "paved", helm.chart().toString(), "--namespace",
        "paved-system", "-f", file.toString()));
    args.addAll(Arrays.asList(more));
    return helm.run(args.toArray(String[]::new));
  }

  private static JsonNode one(List<JsonNode> objects, String kind, String name) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)
        && o.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names(objects)));
  }

  private static List<String> names(List<JsonNode> objects) {
    return objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("namespace").asText("")
        + "/" + o.path("metadata").path("name").asText()).toList();
  }

  private static List<JsonNode> rules(List<JsonNode> objects) {
    return objects.stream().filter(o -> o.path("kind").asText().endsWith("Role") && !o.path("kind").asText()
        .endsWith("Binding")).flatMap(o -> StreamSupport.stream(o.path("rules").spliterator(), false)).toList();
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void lintIsCleanWithTheDefaultsAndWithEveryOptionOn() throws IOException {
    Helm.Result defaults = helm.run("lint", "--strict", helm.chart().toString());
    assertThat(defaults.ok()).as(defaults.output()).isTrue();
    assertThat(defaults.output()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]");

    Path all = Files.writeString(dir.resolve("all.yaml"), REPO + """
        teams: [payments, search]
        logFormat: json
        secrets: {apiToken: t0ken, files: {git-token: ghp-x, webhook-platform: hook}}
        api: {publicRead: true, tls: {secretName: paved-tls}}
        rbac: {scope: namespaced, namespaces: [payments-dev, search-dev]}
        serviceMonitor: {enabled: true, tlsConfig: {serverName: paved}}
        podDisruptionBudget: {enabled: true}
        networkPolicy: {enabled: true, ingressFrom: [{namespaceSelector: {matchLabels: {name: monitoring}}}]}
        """);
    Helm.Result everything = helm.run("lint", "--strict", helm.chart().toString(), "-f", all.toString());
    assertThat(everything.ok()).as(everything.output()).isTrue();
    assertThat(everything.output()).doesNotContain("[WARNING]");
  }

  @Test
  void theDeploymentRunsServeNonRootOnAReadOnlyRootWithTheServeJvmOptions() throws IOException {
    List<JsonNode> objects = template(REPO);
    assertThat(names(objects)).containsExactlyInAnyOrder(
        "ServiceAccount/paved-system/paved", "ConfigMap/paved-system/paved", "Service/paved-system/paved",
        "Deployment/paved-system/paved", "ClusterRole//paved-manage", "ClusterRoleBinding//paved-manage",
        "Role/paved-system/paved-state", "RoleBinding/paved-system/paved-state");
    for (JsonNode o : objects) {
      JsonNode labels = o.path("metadata").path("labels");
      assertThat(labels.path("app.kubernetes.io/name").asText()).as(o.path("kind").asText()).isEqualTo("paved");
      assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo("paved");
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("app.kubernetes.io/version").asText()).isEqualTo(projectVersion());
      assertThat(labels.path("helm.sh/chart").asText()).isEqualTo("paved-0.1.0");
    }

    JsonNode deployment = one(objects, "Deployment", "paved");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(1);
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("paved");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
    JsonNode container = pod.path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo("paved:" + projectVersion());
    assertThat(texts(container.path("args"))).containsExactlyInAnyOrder("serve", "--config", "/etc/paved/paved.yaml");
    JsonNode security = container.path("securityContext");
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    assertThat(env(container, "PAVED_LOG_FORMAT")).contains("plain");
    String jvm = env(container, "JDK_JAVA_OPTIONS").orElseThrow();
    for (String option : serveOptions()) {
      assertThat(jvm).as("the options of scripts/jvm/serve.options").contains(option);
    }
    // writable: the state dir and /tmp, both emptyDirs
    List<String> writable = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> {
      if (!m.path("readOnly").asBoolean()) {
        writable.add(m.path("mountPath").asText() + "=" + volume(pod, m.path("name").asText()));
      }
    });
    assertThat(writable).containsExactlyInAnyOrder("/var/lib/paved=emptyDir", "/tmp=emptyDir");

    JsonNode service = one(objects, "Service", "paved");
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
  }

  private static Optional<String> env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return Optional.of(e.path("value").asText());
      }
    }
    return Optional.empty();
  }

  private static String volume(JsonNode pod, String name) {
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        List<String> source = new ArrayList<>(iterable(v.fieldNames()));
        source.remove("name");
        return String.join(",", source);
      }
    }
    return "none";
  }

  private static List<String> serveOptions() throws IOException {
    return Files.readAllLines(Helm.root().resolve("scripts/jvm/serve.options")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String projectVersion() throws IOException {
    String pom = Files.readString(Helm.root().resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<artifactId>paved</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void theDaemonConfigIsOneTheDaemonAccepts() throws Exception {
    List<JsonNode> objects = template(REPO + """
          resyncInterval: 10m
          defaults: {applyConcurrency: 16}
          notifications: {sinks: [{name: ops, type: webhook, url: "https://hooks.example.com/paved"}]}
        secrets: {apiToken: s3cr3t-api-t0ken, files: {git-token: ghp-s3cr3t, webhook-platform: h00k-s3cr3t}}
        """);
    String yaml = one(objects, "ConfigMap", "paved").path("data").path("paved.yaml").asText();
    Path file = Files.writeString(dir.resolve("paved.yaml"), yaml);
    DaemonConfig config = DaemonConfig.load(file);
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/paved"));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().tokenFile()).contains(Path.of("/etc/paved/secrets/api-token"));
    assertThat(config.resyncInterval()).hasMinutes(10);
    assertThat(config.defaults().applyConcurrency()).isEqualTo(16);
    assertThat(yaml).contains("notifications:", "https://hooks.example.com/paved");
    assertThat(config.repos()).singleElement().satisfies(r -> {
      assertThat(r.name()).isEqualTo("platform");
      assertThat(r.webhookSecretFile()).contains(Path.of("/etc/paved/secrets/webhook-platform"));
      assertThat(r.allowHistoryRewrite()).isTrue();
    });

    JsonNode secret = one(objects, "Secret", "paved");
    assertThat(texts(JSON.valueToTree(iterable(secret.path("data").fieldNames()))))
        .containsExactlyInAnyOrder("api-token", "git-token", "webhook-platform");
    String everythingButTheSecret = YAML.writeValueAsString(objects.stream()
        .filter(o -> !o.path("kind").asText().equals("Secret")).toList());
    assertThat(everythingButTheSecret).doesNotContain("s3cr3t");
    JsonNode pod = one(objects, "Deployment", "paved").path("spec").path("template").path("spec");
    assertThat(volume(pod, "secrets")).isEqualTo("secret");
  }

  @Test
  void namedTokensPublicReadAndTlsReachTheDaemonConfigAndTheProbes() throws Exception {
    List<JsonNode> objects = template(REPO + """
        api: {tokensFileKey: api-tokens, publicRead: true, tls: {secretName: paved-tls}}
        secrets: {files: {api-tokens: "apiVersion: paved.dev/v1alpha1", git-token: ghp-x}}
        serviceMonitor: {enabled: true, tlsConfig: {serverName: paved}}
        """);
    String yaml = one(objects, "ConfigMap", "paved").path("data").path("paved.yaml").asText();
    DaemonConfig config = DaemonConfig.load(Files.writeString(dir.resolve("paved.yaml"), yaml));
    assertThat(config.http().tokensFile()).contains(Path.of("/etc/paved/secrets/api-tokens"));
    assertThat(config.http().tokenFile()).isEmpty();
    assertThat(config.http().publicRead()).isTrue();
    assertThat(config.http().tls()).contains(new DaemonConfig.Tls(Path.of("/etc/paved/tls/tls.crt"),
        Path.of("/etc/paved/tls/tls.key")));
    JsonNode pod = one(objects, "Deployment", "paved").path("spec").path("template").path("spec");
    assertThat(volume(pod, "tls")).isEqualTo("secret");
    JsonNode container = pod.path("containers").get(0);
    assertThat(container.path("livenessProbe").path("httpGet").path("scheme").asText()).isEqualTo("HTTPS");
    assertThat(container.path("readinessProbe").path("httpGet").path("scheme").asText()).isEqualTo("HTTPS");
    JsonNode endpoint = one(objects, "ServiceMonitor", "paved").path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("scheme").asText()).isEqualTo("https");
    assertThat(endpoint.path("tlsConfig").path("serverName").asText()).isEqualTo("paved");

    Helm.Result both = render(REPO + "api: {tokensFileKey: api-tokens}\nsecrets: {apiToken: t0ken-0123456789}\n");
    assertThat(both.ok()).isFalse();
    assertThat(both.output()).contains("api.tokensFileKey and secrets.apiToken: give one of them");
    Helm.Result noSecret = render(REPO + "api: {tokensFileKey: api-tokens}\n");
    assertThat(noSecret.ok()).isFalse();
    assertThat(noSecret.output()).contains("api.tokensFileKey: put the tokens file in secrets.files");
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void clusterScopeRbacHasNoWildcardNoSecretsNoImpersonationWithoutTeams() throws IOException {
    List<JsonNode> objects = template(REPO);
    List<JsonNode> rules = rules(objects);
    assertThat(rules).isNotEmpty();
    for (JsonNode rule : rules) {
      assertThat(texts(rule.path("verbs"))).as(rule.toString()).doesNotContain("*", "impersonate", "bind", "escalate");
      assertThat(texts(rule.path("resources"))).as(rule.toString()).doesNotContain("*", "secrets", "clusterroles",
          "clusterrolebindings", "pods/exec", "users", "groups");
      assertThat(texts(rule.path("apiGroups"))).doesNotContain("*");
    }
    JsonNode manage = one(objects, "ClusterRole", "paved-manage");
    assertThat(manage.toString()).contains("deployments", "namespaces", "networkpolicies", "poddisruptionbudgets");
    JsonNode state = one(objects, "Role", "paved-state");
    assertThat(state.path("metadata").path("namespace").asText()).isEqualTo("paved-system");
    assertThat(state.toString()).contains("configmaps", "leases", "coordination.k8s.io");
  }

  @Test
  void teamsGetImpersonationOfExactlyTheirIdentities() throws IOException {
    List<JsonNode> objects = template(REPO + "teams: [payments, search]\n");
    JsonNode teams = one(objects, "ClusterRole", "paved-teams");
    List<String> impersonated = new ArrayList<>();
    for (JsonNode rule : teams.path("rules")) {
      if (texts(rule.path("verbs")).contains("impersonate")) {
        assertThat(rule.path("resourceNames").size()).as("never every user: " + rule).isPositive();
        rule.path("resources").forEach(r -> rule.path("resourceNames")
            .forEach(n -> impersonated.add(r.asText() + ":" + n.asText())));
      }
    }
    assertThat(impersonated).containsExactlyInAnyOrder("users:paved:team:payments", "users:paved:team:search",
        "groups:paved:teams");
    assertThat(teams.toString()).contains("\"resourceNames\":[\"paved-team\"]");
    JsonNode binding = one(objects, "ClusterRoleBinding", "paved-teams");
    assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo("paved");
  }

  @Test
  void teamClusterKindsLetPavedWriteBindAndEscalateExactlyTheirClusterRoles() throws IOException {
    List<JsonNode> objects = template(REPO + "teams: [payments, search]\n"
        + "teamClusterKinds: {prod: [search, payments], dev: [payments]}\n");
    JsonNode teams = one(objects, "ClusterRole", "paved-teams");
    List<String> named = List.of("paved-team:dev:payments", "paved-team:prod:payments", "paved-team:prod:search");
    List<String> granted = new ArrayList<>();
    for (JsonNode rule : teams.path("rules")) {
      Set<String> resources = texts(rule.path("resources"));
      boolean pavedTeam = texts(rule.path("resourceNames")).equals(Set.of("paved-team")); // the shared one
      if (!pavedTeam && (resources.contains("clusterroles") || resources.contains("clusterrolebindings"))) {
        if (rule.has("resourceNames")) {
          assertThat(texts(rule.path("resourceNames"))).as(rule.toString()).containsExactlyElementsOf(named);
          granted.add(resources + " " + texts(rule.path("verbs")));
        } else {
          assertThat(texts(rule.path("verbs"))).as("unnamed: read only " + rule).containsExactlyInAnyOrder("get",
              "list", "watch");
        }
      }
    }
    assertThat(granted).contains("[clusterroles] [bind, create, delete, escalate, patch, update]",
        "[clusterrolebindings] [create, delete, patch, update]");
    // Without teamClusterKinds: no ClusterRole of a team's but paved-team itself.
    JsonNode plain = one(template(REPO + "teams: [payments]\n"), "ClusterRole", "paved-teams");
    assertThat(plain.toString()).doesNotContain("clusterrolebindings", "paved-team:");
    Helm.Result orphan = render(REPO + "teamClusterKinds: {prod: [payments]}\n");
    assertThat(orphan.ok()).isFalse();
    assertThat(orphan.output()).contains("teamClusterKinds: list its teams under teams too");
  }

  @Test
  void namespacedScopeWritesOnlyInItsNamespaces() throws IOException {
    List<JsonNode> objects = template(REPO + "rbac: {scope: namespaced, namespaces: [payments-dev, search-dev]}\n");
    JsonNode manage = one(objects, "ClusterRole", "paved-manage");
    for (JsonNode rule : manage.path("rules")) {
      if (!rule.has("resourceNames")) {
        assertThat(texts(rule.path("verbs"))).as("cluster-wide: read only").containsExactlyInAnyOrder("get", "list",
            "watch");
      }
    }
    assertThat(names(objects)).contains("ClusterRole//paved-write", "RoleBinding/payments-dev/paved-write",
        "RoleBinding/search-dev/paved-write");
    assertThat(one(objects, "ClusterRole", "paved-write").toString()).contains("patch", "delete")
        .doesNotContain("namespaces");
  }

  @Test
  void optionalObjectsAndJsonLogs() throws IOException {
    List<JsonNode> objects = template(REPO + """
        logFormat: json
        serviceMonitor: {enabled: true}
        podDisruptionBudget: {enabled: true}
        networkPolicy: {enabled: true}
        """);
    assertThat(names(objects)).contains("ServiceMonitor/paved-system/paved", "PodDisruptionBudget/paved-system/paved",
        "NetworkPolicy/paved-system/paved");
    assertThat(one(objects, "ServiceMonitor", "paved").path("spec").path("endpoints").get(0).path("path").asText())
        .isEqualTo("/metrics");
    JsonNode container = one(objects, "Deployment", "paved").path("spec").path("template").path("spec")
        .path("containers").get(0);
    assertThat(env(container, "PAVED_LOG_FORMAT")).contains("json");
  }

  @Test
  void haLiftsTheOneReplicaCapAndRendersTheLeaseSettings() throws Exception {
    List<JsonNode> one = template(REPO);
    JsonNode single = one(one, "Deployment", "paved").path("spec");
    assertThat(single.path("strategy").path("type").asText()).as("no overlap of two writers").isEqualTo("Recreate");
    Path plain = Files.writeString(dir.resolve("plain.yaml"), one(one, "ConfigMap", "paved").path("data")
        .path("paved.yaml").asText());
    assertThat(DaemonConfig.load(plain).ha().enabled()).as("HA off by default").isFalse();

    List<JsonNode> objects = template(REPO + "replicaCount: 3\nha: {enabled: true, leaseDuration: 20s}\n");
    JsonNode spec = one(objects, "Deployment", "paved").path("spec");
    assertThat(spec.path("replicas").asInt()).isEqualTo(3);
    assertThat(spec.path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
    JsonNode container = spec.path("template").path("spec").path("containers").get(0);
    assertThat(container.path("env").toString()).contains("\"name\":\"PAVED_REPLICA_ID\"",
        "\"fieldPath\":\"metadata.name\"");
    Path file = Files.writeString(dir.resolve("ha.yaml"), one(objects, "ConfigMap", "paved").path("data")
        .path("paved.yaml").asText());
    DaemonConfig.Ha ha = DaemonConfig.load(file).ha();
    assertThat(ha.enabled()).isTrue();
    assertThat(ha.leaseDuration()).hasSeconds(20);
    assertThat(ha.renewDeadline()).hasSeconds(10);
    assertThat(ha.retryPeriod()).hasSeconds(2);
    assertThat(one(objects, "Role", "paved-state").toString()).as("its Leases").contains("leases", "update");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      replicaCount: 2                                      | at '/replicaCount'
      logFormat: xml                                       | at '/logFormat'
      rbac: {scope: everywhere}                            | at '/rbac/scope'
      rbac: {scope: namespaced}                            | at '/rbac/namespaces'
      teams: [Payments_Team]                               | at '/teams/0'
      teamClusterKinds: {Prod: [payments]}                 | 'Prod'
      teamClusterKinds: {prod: [Payments]}                 | at '/teamClusterKinds/prod/0'
      image: {repository: ''}                              | at '/image/repository'
      replicas: 1                                          | 'replicas' not allowed
      config: {repos: [{name: platform, url: 'https://u:pw@git.example.com/x.git'}]} | at '/config/repos/0/url'
      config: {resyncInterval: often, repos: [{name: p, url: 'https://git.example.com/x.git'}]} | at '/config/resyncInterval'
      rbac: {resources: [{apiGroups: [''], resources: ['*']}]} | at '/rbac/resources/0/resources/0'
      """)
  void badValuesFailWithTheValuesName(String values, String name) throws IOException {
    Helm.Result r = render(values.contains("repos") ? values : REPO + values);
    assertThat(r.ok()).as(r.output()).isFalse();
    assertThat(r.output()).contains(name);
  }

  @Test
  void installingWithoutAConfigRepoSaysWhichValueIsMissing() throws IOException {
    Helm.Result r = render("logLevel: INFO\n");
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("config.repos");
  }
}
