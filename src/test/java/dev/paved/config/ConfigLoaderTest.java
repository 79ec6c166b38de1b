package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static final String SERVICE = "services/checkout/service.yaml";

  /** A repo with every kind: two environments (prod promotes from dev), an override, a policy. */
  private static Fixtures full() {
    return Fixtures.minimal()
        .file("clusters/prod-eu.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Cluster
            description: the production cluster
            labels: {region: eu-central-1}
            environments: [prod]
            """)
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: prod-eu
            namespace: "{team}-{env}"
            createNamespaces: false
            drift: report
            promotesFrom: dev
            labels:
              cost-center: cc-42
            defaults:
              replicas: 2
            """)
        .file("services/checkout/env/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            image:
              tag: "1.0.1"
            replicas: 3
            """)
        .file("policies/no-latest.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Policy
            rule: disallowed-image-tags
            enforcement: warn
            match:
              tiers: [prod]
            exclude:
              services: [legacy]
            """);
  }

  private static List<String> errors(LoadResult r) {
    return r.diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::toString).toList();
  }

  private static Diagnostic single(LoadResult r) {
    List<Diagnostic> errors = r.diagnostics().stream().filter(Diagnostic::isError).toList();
    assertThat(errors).as("errors of %s", r.diagnostics()).hasSize(1);
    assertThat(r.platform()).isEmpty();
    return errors.get(0);
  }

  // ---------------------------------------------------------------- valid kinds

  @Test
  void minimalRepoLoads() {
    LoadResult r = Fixtures.minimal().load();

    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.platform()).isPresent();
    assertThat(r.platform().get().services()).containsOnlyKeys("checkout");
    assertThat(r.platform().get().revision()).isEqualTo("test");
  }

  @Test
  void everyKindIsAcceptedAndReadIntoTheModel() {
    LoadResult r = full().load();

    assertThat(r.diagnostics()).isEmpty();
    Platform p = r.platform().orElseThrow();
    assertThat(p.clusters()).containsOnlyKeys("main", "prod-eu");
    assertThat(p.clusters().get("prod-eu").description()).isEqualTo("the production cluster");
    assertThat(p.clusters().get("prod-eu").labels()).containsEntry("region", "eu-central-1");
    assertThat(p.clusters().get("prod-eu").admits("prod")).isTrue();
    assertThat(p.clusters().get("prod-eu").admits("dev")).isFalse();
    assertThat(p.clusters().get("main").environments()).isNull();

    Declarations.Environment prod = p.environments().get("prod");
    assertThat(prod.tier()).isEqualTo("prod");
    assertThat(prod.cluster()).isEqualTo("prod-eu");
    assertThat(prod.createNamespaces()).isFalse();
    assertThat(prod.drift()).isEqualTo(Declarations.DriftMode.REPORT);
    assertThat(prod.promotesFrom()).isEqualTo("dev");
    assertThat(prod.labels()).containsEntry("cost-center", "cc-42");
    assertThat(prod.defaults().get("replicas").asInt()).isEqualTo(2);
    Declarations.Environment dev = p.environments().get("dev");
    assertThat(dev.createNamespaces()).isTrue();
    assertThat(dev.drift()).isEqualTo(Declarations.DriftMode.CORRECT);
    assertThat(dev.namespacePattern()).isEqualTo("{team}-{env}");

    Declarations.Service svc = p.services().get("checkout");
    assertThat(svc.team()).isEqualTo("payments");
    assertThat(svc.environments()).isNull();
    assertThat(svc.overrides()).containsOnlyKeys("prod");
    assertThat(svc.overrides().get("prod").file()).isEqualTo("services/checkout/env/prod.yaml");

    Declarations.Policy pol = p.policies().get("no-latest");
    assertThat(pol.rule()).isEqualTo("disallowed-image-tags");
    assertThat(pol.enforce()).isFalse();
    assertThat(pol.severity()).isEqualTo(Severity.WARNING);
    assertThat(pol.applies("prod", "prod", "checkout", "payments")).isTrue();
    assertThat(pol.applies("dev", "dev", "checkout", "payments")).isFalse();
    assertThat(pol.applies("prod", "prod", "legacy", "payments")).isFalse();
  }

  @Test
  void ymlExtensionIsReadToo() {
    LoadResult r = Fixtures.minimal().remove("environments/dev.yaml").file("environments/dev.yml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        """).load();

    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.platform().orElseThrow().environments()).containsOnlyKeys("dev");
  }

  // ---------------------------------------------------------------- schema errors per kind

  @Test
  void serviceUnknownFieldSuggestsTheNearestAtTheKey() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        replica: 2
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("unknown-field");
    assertThat(d.toString()).isEqualTo(SERVICE + ":4:1: error: unknown field \"replica\"; did you mean \"replicas\"?");
  }

  @Test
  void nestedUnknownFieldIsReportedAtTheNestedKey() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
          tga: "1.0"
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 6, 3));
    assertThat(d.message()).contains("\"tga\"").contains("did you mean \"tag\"");
  }

  @Test
  void unknownFieldWithoutCloseMatchListsTheFields() {
    LoadResult r = Fixtures.minimal().file("clusters/main.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Cluster
        zzzzzzzz: 1
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("clusters/main.yaml", 3, 1));
    assertThat(d.message()).doesNotContain("did you mean").contains("expected one of: apiVersion, description");
  }

  @Test
  void unquotedVersionTagGetsAQuotingHint() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
          tag: 1.10
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("wrong-type");
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 6, 8));
    assertThat(d.message()).contains("\"image.tag\" must be a string").contains("quote it").contains("\"1.10\"");
  }

  @Test
  void wrongTypeWithoutHintForNonScalars() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        ports:
          - name: http
            port: "80"
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 8, 11));
    assertThat(d.message()).isEqualTo("\"ports[0].port\" must be a whole number, not the text \"80\"");
  }

  @Test
  void missingRequiredField() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("missing-field");
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 1, 1));
    assertThat(d.message()).contains("\"team\"").contains("schema/service.schema.json");
  }

  @Test
  void missingNestedRequiredFieldPointsAtTheMap() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          tag: "1.0"
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 5, 3));
    assertThat(d.message()).contains("\"repository\"").contains("in \"image\"");
  }

  @Test
  void enumValueListsTheOptions() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: production
        cluster: main
        """).load();

    Diagnostic d = single(r);
    assertThat(d.toString()).isEqualTo("environments/dev.yaml:3:7: error: \"tier\" is \"production\"; "
        + "expected one of: dev, test, staging, prod");
  }

  @Test
  void enumTypoGetsASuggestion() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: stagign
        cluster: main
        """).load();

    assertThat(single(r).message()).contains("did you mean \"staging\"");
  }

  @Test
  void wrongKindForThePath() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        tier: dev
        cluster: main
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("environments/dev.yaml", 2, 7));
    assertThat(d.message()).contains("of kind Environment");
  }

  @Test
  void aClusterFileCanNoLongerSayHowToReachTheCluster() {
    LoadResult r = Fixtures.minimal().file("clusters/main.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Cluster
        connection:
          kubeconfig: {file: /etc/kubernetes/admin.conf}
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("clusters/main.yaml", 3, 1));
    assertThat(d.message()).startsWith("a cluster file no longer says how to reach the cluster: remove \"connection\"; "
        + "give the daemon a connection under \"clusters\" in its config");
  }

  @Test
  void anEnvironmentMayRunOnlyOnAClusterThatAdmitsIt() {
    LoadResult r = Fixtures.minimal().file("clusters/main.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Cluster
        environments: [prod]
        """).load();

    assertThat(single(r).toString()).isEqualTo("environments/dev.yaml:4:10: error: environment \"dev\" may not run on "
        + "cluster \"main\": clusters/main.yaml admits only prod; choose another cluster or add it there");
  }

  @Test
  void overrideIsValidatedWithItsOwnSchema() {
    LoadResult r = full().file("services/checkout/env/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        team: other
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("services/checkout/env/prod.yaml", 3, 1));
    assertThat(d.code()).isEqualTo("unknown-field");
  }

  @Test
  void overrideMayUseNullToRemoveAField() {
    LoadResult r = full().file("services/checkout/env/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        ports: null
        resources:
          limits: null
        """).load();

    assertThat(errors(r)).isEmpty();
  }

  @Test
  void policyRuleSpecificParametersAreRequired() {
    LoadResult r = Fixtures.minimal().file("policies/registries.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: allowed-registries
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("policies/registries.yaml", 1, 1));
    assertThat(d.message()).contains("\"parameters\"");
  }

  @Test
  void policyUnknownRule() {
    LoadResult r = Fixtures.minimal().file("policies/p.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: no-latest-tags
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("policies/p.yaml", 3, 7));
    assertThat(d.message()).contains("disallowed-image-tags");
  }

  @Test
  void replicaBoundsNeedsMinOrMax() {
    LoadResult r = Fixtures.minimal().file("policies/p.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: replica-bounds
        parameters:
          tags: [latest]
        """).load();

    Diagnostic d = single(r);
    assertThat(d.message()).isEqualTo("replica-bounds needs \"min\", \"max\" or both");
  }

  @Test
  void emptyFileAndNonMapFileAreRefused() {
    LoadResult r = Fixtures.minimal()
        .file("clusters/empty.yaml", "# nothing here\n")
        .file("clusters/list.yaml", "- a\n- b\n")
        .load();

    assertThat(errors(r)).containsExactly(
        Location.ofFile("clusters/empty.yaml") + ": error: file is empty; it must hold one YAML document",
        "clusters/list.yaml:1:1: error: the file must be a YAML map of fields, not a list");
  }

  // ---------------------------------------------------------------- names

  @Test
  void badDnsNameFromTheDirectoryName() {
    LoadResult r = Fixtures.minimal().file("services/Check_Out/service.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("bad-name");
    assertThat(d.location()).isEqualTo(Location.ofFile("services/Check_Out/service.yaml"));
    assertThat(d.message()).contains("\"Check_Out\"").contains("directory name").contains("DNS-1123");
  }

  @Test
  void badDnsNameFromTheFileName() {
    LoadResult r = Fixtures.minimal().file("environments/Prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: prod
        cluster: main
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(Location.ofFile("environments/Prod.yaml"));
    assertThat(d.message()).contains("environment name \"Prod\"").contains("file name");
  }

  @Test
  void yamlAndYmlWithTheSameNameAreADuplicate() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("duplicate-name");
    assertThat(d.location()).isEqualTo(Location.ofFile("environments/dev.yml"));
    assertThat(d.message()).contains("environments/dev.yaml");
  }

  @Test
  void serviceYamlAndYmlAreADuplicate() {
    LoadResult r = Fixtures.minimal().file("services/checkout/service.yml", """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    assertThat(single(r).code()).isEqualTo("duplicate-name");
  }

  // ---------------------------------------------------------------- references

  @Test
  void environmentOnAnUnknownClusterSuggestsTheNearest() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: mian
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("dangling-reference");
    assertThat(d.location()).isEqualTo(new Location("environments/dev.yaml", 4, 10));
    assertThat(d.message()).contains("cluster \"mian\"").contains("did you mean \"main\"")
        .contains("clusters/mian.yaml");
  }

  @Test
  void overrideForAnUndeclaredEnvironment() {
    LoadResult r = full().file("services/checkout/env/prd.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 2
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("dangling-reference");
    assertThat(d.location()).isEqualTo(Location.ofFile("services/checkout/env/prd.yaml"));
    assertThat(d.message()).contains("\"prd\"").contains("did you mean \"prod\"").contains("dev, prod");
  }

  @Test
  void serviceEnvironmentsListMustNameDeclaredEnvironments() {
    LoadResult r = full().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        environments:
          - dev
          - prdo
        image:
          repository: registry.example.com/payments/checkout
        """).remove("services/checkout/env/prod.yaml").load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 6, 5));
    assertThat(d.message()).contains("\"prdo\"").contains("did you mean \"prod\"");
  }

  @Test
  void promotesFromAnUndeclaredEnvironment() {
    LoadResult r = full().file("environments/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: prod
        cluster: prod-eu
        promotesFrom: dve
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location("environments/prod.yaml", 5, 15));
    assertThat(d.message()).contains("promotes from \"dve\"").contains("did you mean \"dev\"");
  }

  @Test
  void promotionCycleIsReportedForEachMember() {
    LoadResult r = full().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        promotesFrom: prod
        """).load();

    List<Diagnostic> errors = r.diagnostics().stream().filter(Diagnostic::isError).toList();
    assertThat(errors).extracting(Diagnostic::code).containsOnly("promotion-cycle");
    assertThat(errors).extracting(Diagnostic::location).containsExactly(
        new Location("environments/dev.yaml", 5, 15), new Location("environments/prod.yaml", 8, 15));
    assertThat(errors.get(0).message()).contains("dev <- prod <- dev");
    assertThat(r.platform()).isEmpty();
  }

  @Test
  void promotingFromItselfIsACycle() {
    LoadResult r = Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        promotesFrom: dev
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("promotion-cycle");
    assertThat(d.message()).contains("dev <- dev");
  }

  @Test
  void threeEnvironmentCycleDoesNotHangAndIsReported() {
    LoadResult r = full()
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            promotesFrom: staging
            """)
        .file("environments/staging.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: staging
            cluster: main
            promotesFrom: prod
            """).load();

    assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).hasSize(3)
        .allSatisfy(d -> assertThat(d.code()).isEqualTo("promotion-cycle"));
  }

  @Test
  void overrideForAnEnvironmentTheServiceDoesNotRunIn() {
    LoadResult r = full().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        environments: [dev]
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("unused-override");
    assertThat(d.location()).isEqualTo(Location.ofFile("services/checkout/env/prod.yaml"));
    assertThat(d.message()).contains("does not run in environment \"prod\"");
  }

  @Test
  void overridesWithoutServiceYamlAreOrphans() {
    LoadResult r = Fixtures.minimal().file("services/ghost/env/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 2
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("orphan-file");
    assertThat(d.message()).contains("services/ghost/service.yaml");
  }

  // ---------------------------------------------------------------- files

  @Test
  void unreadableFilesAreErrorsWithTheirReason() {
    LoadResult r = Fixtures.minimal()
        .unreadable("services/checkout/env/dev.yaml", "file is 2097152 bytes, larger than the 1048576 bytes Paved reads")
        .unreadable("policies/p.yaml", "symlink points outside the config repo (to \"/etc/passwd\")")
        .load();

    assertThat(errors(r)).containsExactly(
        Location.ofFile("policies/p.yaml") + ": error: symlink points outside the config repo (to \"/etc/passwd\")",
        Location.ofFile("services/checkout/env/dev.yaml")
            + ": error: file is 2097152 bytes, larger than the 1048576 bytes Paved reads");
    assertThat(r.diagnostics()).extracting(Diagnostic::code).containsOnly("unreadable-file");
  }

  @Test
  void allErrorsOfTheTreeAreReportedAtOnceAndSorted() {
    LoadResult r = Fixtures.minimal()
        .file(SERVICE, """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: payments
            replica: 2
            image:
              repository: registry.example.com/payments/checkout
              tag: 1.10
            """)
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: production
            cluster: main
            """)
        .file("clusters/bad.yaml", "connection: [\n")
        .file("policies/p.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Policy
            rule: required-labels
            """)
        .file("services/checkout/notes.yaml", "a: 1\n")
        .load();

    assertThat(r.platform()).isEmpty();
    assertThat(r.diagnostics()).isSorted();
    assertThat(r.diagnostics()).extracting(d -> d.location().file()).containsExactly(
        "clusters/bad.yaml", "environments/prod.yaml", "policies/p.yaml", "services/checkout/notes.yaml",
        SERVICE, SERVICE);
    assertThat(r.diagnostics()).extracting(Diagnostic::code).containsExactly(
        "yaml-syntax", "invalid-value", "missing-field", "ignored-file", "unknown-field", "wrong-type");
    assertThat(r.diagnostics().get(4).location().line()).isLessThan(r.diagnostics().get(5).location().line());
  }

  @Test
  void unexpectedFilesAreIgnoredWithAWarning() {
    LoadResult r = Fixtures.minimal()
        .file("services/checkout/notes.yaml", "a: 1\n")
        .file("environments/dev/extra.yaml", "a: 1\n")
        .file("services/checkout/README.md", "# docs\n")
        .file("docs/example.yaml", "a: 1\n")
        .file("README.md", "# repo\n")
        .load();

    assertThat(r.platform()).isPresent();
    assertThat(r.diagnostics()).allSatisfy(d -> {
      assertThat(d.severity()).isEqualTo(Severity.WARNING);
      assertThat(d.code()).isEqualTo("ignored-file");
    });
    assertThat(r.diagnostics()).extracting(d -> d.location().file())
        .containsExactly("environments/dev/extra.yaml", "services/checkout/notes.yaml");
  }

  @Test
  void serviceYamlWithSeveralDocumentsIsRefusedAtTheSecond() {
    LoadResult r = Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        ---
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        """).load();

    Diagnostic d = single(r);
    assertThat(d.code()).isEqualTo("one-document");
    assertThat(d.location()).isEqualTo(new Location(SERVICE, 7, 1));
    assertThat(d.message()).contains("2 YAML documents");
  }

  @Test
  void rawManifestsMustHaveApiVersionKindAndName() {
    String file = "services/checkout/manifests/extra.yaml";
    LoadResult r = Fixtures.minimal().file(file, """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ok
        ---
        apiVersion: v1
        metadata:
          name: no-kind
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          labels: {a: b}
        ---
        kind: ConfigMap
        metadata:
          name: no-api-version
        ---
        apiVersion: v1
        kind: List
        metadata:
          name: a-list
        items: []
        """).load();

    assertThat(errors(r)).containsExactly(
        file + ":6:1: error: manifest has no \"kind\"; add it (e.g. CronJob)",
        file + ":10:1: error: manifest has no \"metadata.name\"; every object needs a name",
        file + ":15:1: error: manifest has no \"apiVersion\"; add it (e.g. apps/v1)",
        file + ":19:1: error: lists are not supported in manifests; write one document per object, separated by ---");
  }

  @Test
  void rawManifestLabelsMustBeAMap() {
    String file = "services/checkout/manifests/extra.yaml";
    LoadResult r = Fixtures.minimal().file(file, """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: listed
          labels: [a, b]
        """).load();

    Diagnostic d = single(r);
    assertThat(d.location()).isEqualTo(new Location(file, 1, 1));
    assertThat(d.message()).contains("metadata.labels");
  }

  @Test
  void referencesToAnInvalidFileAreNotReportedAsDangling() {
    LoadResult r = full()
        .file("clusters/main.yaml", "connection: [\n")
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: develop
            cluster: main
            """)
        .file("services/checkout/env/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            replicas: 2
            """).load();

    // only the two files' own errors: not "cluster main is not declared", not "override for
    // an undeclared environment dev", not "prod promotes from an undeclared dev"
    assertThat(r.diagnostics()).extracting(d -> d.location().file())
        .containsExactly("clusters/main.yaml", "environments/dev.yaml");
  }

  @Test
  void validRawManifestsAreKeptInOrderAndSecretsWarn() {
    String file = "services/checkout/manifests/extra.yml";
    LoadResult r = Fixtures.minimal().file(file, """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: cleanup
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        """).load();

    assertThat(r.platform()).isPresent();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.severity()).isEqualTo(Severity.WARNING);
      assertThat(d.code()).isEqualTo("secret-manifest");
      assertThat(d.location()).isEqualTo(new Location(file, 6, 1));
    });
    assertThat(r.platform().get().services().get("checkout").manifests())
        .extracting(m -> m.document().tree().path("kind").asText()).containsExactly("CronJob", "Secret");
  }

  @Test
  void brokenYamlInOneFileDoesNotHideErrorsInOthers() {
    LoadResult r = Fixtures.minimal()
        .file("environments/dev.yaml", "tier: [\n")
        .file("clusters/main.yaml", "a: 1\na: 2\n")
        .load();

    assertThat(r.diagnostics()).extracting(Diagnostic::code).containsExactly("duplicate-key", "yaml-syntax");
  }

  @Test
  void loadingIsIndependentOfFileInsertionOrder() {
    Fixtures a = full();
    Map<String, SourceFile> reversed = new java.util.LinkedHashMap<>();
    List<String> paths = new java.util.ArrayList<>(a.tree().files().keySet());
    java.util.Collections.reverse(paths);
    paths.forEach(p -> reversed.put(p, a.tree().files().get(p)));

    LoadResult x = ConfigLoader.load(a.tree());
    LoadResult y = ConfigLoader.load(new ConfigTree("test", reversed));

    assertThat(y.platform().orElseThrow().services().keySet())
        .isEqualTo(x.platform().orElseThrow().services().keySet());
    assertThat(y.diagnostics()).isEqualTo(x.diagnostics());
  }

  @Test
  void dnsLabelSaysWhatTheDnsLabelPatternSays() {
    java.util.regex.Pattern label = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    for (String name : List.of("", "a", "-", "a-", "-a", "a-b", "a--b", "0", "09-x", "A", "a_b", "a.b", "é",
        "payments-prod", "x".repeat(63), "x".repeat(64), "a b")) {
      assertThat(ConfigLoader.dnsLabel(name)).as(name)
          .isEqualTo(label.matcher(name).matches() && name.length() <= 63);
    }
  }
}
