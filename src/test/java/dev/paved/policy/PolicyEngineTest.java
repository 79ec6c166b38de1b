package dev.paved.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Diagnostic;
import dev.paved.config.Fixtures;
import dev.paved.config.LoadResult;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.config.Severity;
import dev.paved.desired.RenderResult;
import dev.paved.desired.Renderer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {

  private static final String SERVICE = "services/checkout/service.yaml";
  private static final String DEV = "services/checkout/env/dev.yaml";
  private static final String MANIFESTS = "services/checkout/manifests/extra.yaml";

  private static Fixtures policy(String rule, String more) {
    return Fixtures.minimal().file("policies/p.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: %s
        %s""".formatted(rule, more));
  }

  private static Fixtures policy(String rule) {
    return policy(rule, "");
  }

  private static List<Finding> evaluate(Fixtures f) {
    LoadResult loaded = f.load();
    assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    Platform p = loaded.platform().orElseThrow();
    RenderResult rendered = Renderer.render(p, "c0ffee");
    assertThat(rendered.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    return PolicyEngine.evaluate(p, rendered);
  }

  private static Finding single(List<Finding> findings) {
    assertThat(findings).hasSize(1);
    return findings.get(0);
  }

  private static Fixtures override(Fixtures f, String body) {
    return f.file(DEV, "apiVersion: paved.dev/v1alpha1\nkind: Override\n" + body);
  }

  // ---------------------------------------------------------------- disallowed-image-tags

  @Test
  void pinnedTagPasses() {
    assertThat(evaluate(policy("disallowed-image-tags"))).isEmpty();
  }

  @Test
  void latestTagFailsAtTheOverridesTagLine() {
    Finding f = single(evaluate(override(policy("disallowed-image-tags"), """
        image:
          tag: latest
        """)));

    assertThat(f.policy()).isEqualTo("p");
    assertThat(f.rule()).isEqualTo("disallowed-image-tags");
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.blocking()).isTrue();
    assertThat(f.environment()).isEqualTo("dev");
    assertThat(f.service()).isEqualTo("checkout");
    assertThat(f.object().toString()).isEqualTo("Deployment/payments-dev/checkout");
    assertThat(f.location()).isEqualTo(new Location(DEV, 4, 8));
    assertThat(f.message()).contains("\"latest\"");
    assertThat(f.toDiagnostic().toString()).startsWith(DEV + ":4:8: error: Deployment/payments-dev/checkout: ")
        .endsWith("[policy p, environment dev, Deployment/payments-dev/checkout]");
  }

  @Test
  void configuredTagListIsUsed() {
    Fixtures f = override(policy("disallowed-image-tags", "parameters: {tags: [dev, snapshot]}\n"), """
        image:
          tag: latest
        """);
    assertThat(evaluate(f)).isEmpty();

    Fixtures g = override(policy("disallowed-image-tags", "parameters: {tags: [dev, snapshot]}\n"), """
        image:
          tag: snapshot
        """);
    assertThat(single(evaluate(g)).message()).contains("\"snapshot\"");
  }

  @Test
  void missingTagFailsUnlessAllowed() {
    String untagged = """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        """;
    Finding f = single(evaluate(policy("disallowed-image-tags").file(SERVICE, untagged)));

    assertThat(f.message()).contains("without a tag or digest");
    assertThat(f.location()).isEqualTo(new Location(SERVICE, 5, 3));
    assertThat(evaluate(policy("disallowed-image-tags", "parameters: {requireTag: false}\n").file(SERVICE, untagged)))
        .isEmpty();
  }

  @Test
  void requireDigestRefusesTagsAndAcceptsDigests() {
    Fixtures f = policy("disallowed-image-tags", "parameters: {requireDigest: true}\n");
    assertThat(single(evaluate(f)).message()).contains("without a digest");

    List<Finding> withDigest = evaluate(override(policy("disallowed-image-tags", "parameters: {requireDigest: true}\n"),
        """
        image:
          digest: sha256:%s
        """.formatted("0".repeat(64))));
    assertThat(withDigest).isEmpty();
  }

  @Test
  void rawManifestContainersAreCheckedAtTheirImageLine() {
    Finding f = single(evaluate(policy("disallowed-image-tags").file(MANIFESTS, """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: cleanup
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - name: cleanup
                      image: busybox:latest
        """)));

    assertThat(f.object().toString()).isEqualTo("CronJob/payments-dev/cleanup");
    assertThat(f.location()).isEqualTo(new Location(MANIFESTS, 13, 22));
  }

  // ---------------------------------------------------------------- allowed-registries

  @Test
  void allowedRegistries() {
    String params = "parameters: {registries: [registry.example.com/, docker.io/library/]}\n";
    assertThat(evaluate(policy("allowed-registries", params))).isEmpty();

    Finding f = single(evaluate(override(policy("allowed-registries", params), """
        image:
          repository: ghcr.io/someone/checkout
        """)));
    assertThat(f.location()).isEqualTo(new Location(DEV, 4, 15));
    assertThat(f.message()).contains("ghcr.io/someone/checkout").contains("registry.example.com/");

    // Docker Hub's implied registry is made explicit
    assertThat(evaluate(override(policy("allowed-registries", params), """
        image:
          repository: nginx
        """))).isEmpty();
  }

  // ---------------------------------------------------------------- resources-required

  @Test
  void resourcesRequired() {
    Finding f = single(evaluate(policy("resources-required")));
    assertThat(f.message()).contains("requests.cpu, requests.memory, limits.memory");
    assertThat(f.location()).isEqualTo(new Location(SERVICE, 1, 1));

    assertThat(evaluate(override(policy("resources-required"), """
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        """))).isEmpty();

    Finding partial = single(evaluate(override(policy("resources-required"), """
        resources:
          requests: {cpu: 100m, memory: 128Mi}
        """)));
    assertThat(partial.message()).contains("limits.memory").doesNotContain("requests.cpu");
    assertThat(partial.location()).isEqualTo(new Location(DEV, 4, 3));
  }

  // ---------------------------------------------------------------- replica-bounds

  @Test
  void replicaBoundsOnDeployments() {
    Finding tooFew = single(evaluate(policy("replica-bounds", "parameters: {min: 2}\n")));
    assertThat(tooFew.message()).contains("runs 1 replica(s)").contains("minimum of 2");

    assertThat(evaluate(override(policy("replica-bounds", "parameters: {min: 2, max: 5}\n"), "replicas: 3\n")))
        .isEmpty();

    Finding tooMany = single(evaluate(override(policy("replica-bounds", "parameters: {max: 5}\n"), "replicas: 10\n")));
    assertThat(tooMany.location()).isEqualTo(new Location(DEV, 3, 11));
    assertThat(tooMany.message()).contains("above the maximum of 5");
  }

  @Test
  void replicaBoundsOnAutoscaling() {
    List<Finding> findings = evaluate(override(policy("replica-bounds", "parameters: {min: 2, max: 10}\n"), """
        autoscaling:
          minReplicas: 1
          maxReplicas: 20
        """));

    assertThat(findings).hasSize(2);
    assertThat(findings).allSatisfy(f ->
        assertThat(f.object().toString()).isEqualTo("HorizontalPodAutoscaler/payments-dev/checkout"));
    assertThat(findings).extracting(Finding::location)
        .containsExactly(new Location(DEV, 4, 16), new Location(DEV, 5, 16));

    assertThat(evaluate(override(policy("replica-bounds", "parameters: {min: 2, max: 10}\n"), """
        autoscaling: {minReplicas: 2, maxReplicas: 10}
        """))).isEmpty();
  }

  // ---------------------------------------------------------------- required-labels

  @Test
  void requiredLabels() {
    List<Finding> missing = evaluate(policy("required-labels", "parameters: {labels: [cost-center]}\n"));
    assertThat(missing).extracting(f -> f.object().kind())
        .containsExactlyInAnyOrder("ServiceAccount", "Deployment", "Service");
    assertThat(missing).allSatisfy(f -> assertThat(f.message()).contains("cost-center"));

    assertThat(evaluate(override(policy("required-labels", "parameters: {labels: [cost-center]}\n"), """
        labels: {cost-center: cc-1}
        """))).isEmpty();
    // an environment's labels count too
    assertThat(evaluate(policy("required-labels", "parameters: {labels: [cost-center]}\n")
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            labels: {cost-center: shared}
            """))).isEmpty();
  }

  // ---------------------------------------------------------------- probes-required

  @Test
  void probesRequired() {
    Finding f = single(evaluate(policy("probes-required")));
    assertThat(f.message()).contains("liveness, readiness");

    assertThat(evaluate(override(policy("probes-required"), """
        probes:
          liveness: {http: {path: /healthz, port: http}}
          readiness: {tcp: {port: http}}
        """))).isEmpty();

    Finding onlyReadiness = single(evaluate(override(policy("probes-required"), """
        probes:
          liveness: {http: {path: /healthz, port: http}}
        """)));
    assertThat(onlyReadiness.message()).contains("no readiness probe");
  }

  @Test
  void probesRequiredExemptsCronJobsButNotRawDeployments() {
    Fixtures f = override(policy("probes-required"), """
        probes:
          liveness: {http: {path: /healthz, port: http}}
          readiness: {tcp: {port: http}}
        """).file(MANIFESTS, """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: cleanup
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - {name: cleanup, image: "registry.example.com/cleanup:1"}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: sidecar
        spec:
          selector: {matchLabels: {app: sidecar}}
          template:
            metadata: {labels: {app: sidecar}}
            spec:
              containers:
                - {name: sidecar, image: "registry.example.com/sidecar:1"}
        """);

    Finding finding = single(evaluate(f));
    assertThat(finding.object().toString()).isEqualTo("Deployment/payments-dev/sidecar");
  }

  // ---------------------------------------------------------------- namespace-confinement

  @Test
  void namespaceConfinement() {
    assertThat(evaluate(policy("namespace-confinement"))).isEmpty();

    Finding f = single(evaluate(policy("namespace-confinement").file(MANIFESTS, """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: sneaky
          namespace: kube-system
        data: {a: b}
        """)));
    assertThat(f.object().toString()).isEqualTo("ConfigMap/kube-system/sneaky");
    assertThat(f.location()).isEqualTo(new Location(MANIFESTS, 5, 14));
    assertThat(f.message()).contains("\"kube-system\"").contains("\"payments\"");
  }

  @Test
  void namespaceConfinementPatterns() {
    String params = "parameters: {namespaces: [\"{team}-{env}\", shared-*]}\n";
    Fixtures f = policy("namespace-confinement", params).file(MANIFESTS, """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ok
          namespace: shared-things
        """);
    assertThat(evaluate(f)).isEmpty();
  }

  @Test
  void clusterScopedRawManifestsAreRefusedUnlessAllowed() {
    String role = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
        rules: []
        """;
    Finding f = single(evaluate(policy("namespace-confinement").file(MANIFESTS, role)));
    assertThat(f.object().toString()).isEqualTo("ClusterRole/reader");
    assertThat(f.location()).isEqualTo(new Location(MANIFESTS, 1, 1));
    assertThat(f.message()).contains("cluster-scoped");

    assertThat(evaluate(policy("namespace-confinement", "parameters: {allowClusterScoped: true}\n")
        .file(MANIFESTS, role))).isEmpty();
  }

  // ---------------------------------------------------------------- no-secret-literals

  @Test
  void noSecretLiterals() {
    List<Finding> findings = evaluate(override(policy("no-secret-literals"), """
        variables:
          DB_PASSWORD: hunter2
          CACHE_KEY_PREFIX: checkout
          STRIPE_API_KEY: sk_live_123
          DB_USER: checkout
          EMPTY_TOKEN: ""
          DB_PASSWORD_REF:
            secret: {name: db, key: password}
        """));

    assertThat(findings).extracting(f -> f.location().line()).containsExactly(4, 6);
    assertThat(findings.get(0).location()).isEqualTo(new Location(DEV, 4, 16));
    assertThat(findings.get(0).message()).contains("DB_PASSWORD looks secret");
    assertThat(findings.get(1).message()).contains("STRIPE_API_KEY");
  }

  @Test
  void secretReferencePasses() {
    assertThat(evaluate(override(policy("no-secret-literals"), """
        variables:
          DB_PASSWORD:
            secret: {name: db, key: password}
        """))).isEmpty();
  }

  @Test
  void secretWordsCanBeConfigured() {
    assertThat(evaluate(override(policy("no-secret-literals", "parameters: {namePatterns: [pin]}\n"), """
        variables:
          DB_PASSWORD: hunter2
          CARD_PIN: "1234"
        """))).extracting(Finding::message).singleElement().asString().contains("CARD_PIN");
  }

  // ---------------------------------------------------------------- promotion-order

  private static Fixtures promotion() {
    return policy("promotion-order")
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
            promotesFrom: staging
            """);
  }

  @Test
  void promotionOrder() {
    assertThat(evaluate(promotion())).isEmpty();

    Finding f = single(evaluate(promotion().file("services/checkout/env/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        image:
          tag: "1.1.0"
        """)));
    assertThat(f.environment()).isEqualTo("prod");
    assertThat(f.object()).isNull();
    assertThat(f.location()).isEqualTo(new Location("services/checkout/env/prod.yaml", 4, 8));
    assertThat(f.message()).contains(":1.1.0 in \"prod\"").contains(":1.0.0 in \"staging\"");
  }

  @Test
  void promotionOrderNeedsTheServiceUpstream() {
    Finding f = single(evaluate(promotion().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        environments: [dev, prod]
        image:
          repository: registry.example.com/payments/checkout
          tag: "1.0.0"
        """)));

    assertThat(f.message()).contains("runs in \"prod\" but not in \"staging\"");
  }

  // ---------------------------------------------------------------- selectors and severity

  private static Fixtures everywhereLatest(String selector) {
    return policy("disallowed-image-tags", selector).team("discovery")
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            """)
        .file(SERVICE, """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: payments
            image:
              repository: registry.example.com/payments/checkout
              tag: latest
            """)
        .file("services/search/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: discovery
            image:
              repository: registry.example.com/discovery/search
              tag: latest
            """);
  }

  private static List<String> where(List<Finding> findings) {
    return findings.stream().map(f -> f.environment() + "/" + f.service()).sorted().toList();
  }

  @Test
  void withoutSelectorEverythingIsChecked() {
    assertThat(where(evaluate(everywhereLatest(""))))
        .containsExactly("dev/checkout", "dev/search", "prod/checkout", "prod/search");
  }

  @Test
  void matchSelectors() {
    assertThat(where(evaluate(everywhereLatest("match: {tiers: [prod]}\n"))))
        .containsExactly("prod/checkout", "prod/search");
    assertThat(where(evaluate(everywhereLatest("match: {environments: [dev]}\n"))))
        .containsExactly("dev/checkout", "dev/search");
    assertThat(where(evaluate(everywhereLatest("match: {services: [search]}\n"))))
        .containsExactly("dev/search", "prod/search");
    assertThat(where(evaluate(everywhereLatest("match: {teams: [payments]}\n"))))
        .containsExactly("dev/checkout", "prod/checkout");
    assertThat(where(evaluate(everywhereLatest("match: {tiers: [prod], teams: [discovery]}\n"))))
        .containsExactly("prod/search");
    assertThat(evaluate(everywhereLatest("match: {teams: [nobody]}\n"))).isEmpty();
  }

  @Test
  void excludeSelectors() {
    assertThat(where(evaluate(everywhereLatest("exclude: {services: [checkout]}\n"))))
        .containsExactly("dev/search", "prod/search");
    assertThat(where(evaluate(everywhereLatest("exclude: {tiers: [dev], teams: [payments]}\n"))))
        .containsExactly("dev/search", "prod/checkout", "prod/search");
    assertThat(where(evaluate(everywhereLatest("match: {tiers: [prod]}\nexclude: {environments: [prod]}\n"))))
        .isEmpty();
  }

  @Test
  void warnEnforcementGivesWarnings() {
    List<Finding> warn = evaluate(everywhereLatest("enforcement: warn\n"));
    List<Finding> enforce = evaluate(everywhereLatest("enforcement: enforce\n"));

    assertThat(warn).hasSize(4).allSatisfy(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.blocking()).isFalse();
      assertThat(f.toDiagnostic().toString()).contains(": warning: ");
    });
    assertThat(enforce).hasSize(4).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR));
  }

  @Test
  void findingsAreSorted() {
    List<Finding> findings = evaluate(everywhereLatest(""));

    assertThat(findings).isSorted();
    assertThat(findings).extracting(f -> f.location().file())
        .containsExactly("services/checkout/service.yaml", "services/checkout/service.yaml",
            "services/search/service.yaml", "services/search/service.yaml");
  }
}
