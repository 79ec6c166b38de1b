package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadsTest {

  private static final String SERVICE = "services/checkout/service.yaml";
  private static final String DEV_OVERRIDE = "services/checkout/env/dev.yaml";

  private static final String ENV_WITH_DEFAULTS = """
      apiVersion: paved.dev/v1alpha1
      kind: Environment
      tier: dev
      cluster: main
      defaults:
        replicas: 2
        labels:
          tier: dev
        resources:
          requests:
            cpu: 50m
          limits:
            memory: 128Mi
      """;

  private static final String SERVICE_YAML = """
      apiVersion: paved.dev/v1alpha1
      kind: Service
      team: payments
      image:
        repository: registry.example.com/payments/checkout
        tag: "1.0.0"
      ports:
        - name: http
          port: 8080
      replicas: 3
      resources:
        requests:
          cpu: 100m
          memory: 256Mi
        limits:
          memory: 512Mi
      """;

  private static Workloads.Result resolve(Fixtures f) {
    LoadResult loaded = f.load();
    assertThat(loaded.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    return Workloads.resolve(loaded.platform().orElseThrow());
  }

  private static Workload only(Workloads.Result r) {
    assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
    assertThat(r.workloads()).hasSize(1);
    return r.workloads().get(0);
  }

  private static Fixtures repo() {
    return Fixtures.minimal().file("environments/dev.yaml", ENV_WITH_DEFAULTS).file(SERVICE, SERVICE_YAML);
  }

  // ---------------------------------------------------------------- merge order and removal

  @Test
  void environmentDefaultsLoseToServiceWhichLosesToOverride() {
    Workload w = only(resolve(repo().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 4
        """)));

    assertThat(w.spec().replicas()).isEqualTo(4);
    assertThat(w.locate("/replicas")).isEqualTo(new Location(DEV_OVERRIDE, 3, 11));
    assertThat(w.spec().labels()).containsEntry("tier", "dev");
    assertThat(w.locate("/labels/tier")).isEqualTo(new Location("environments/dev.yaml", 8, 11));
    // service wins over the defaults for cpu, defaults fill what the service does not say
    assertThat(w.spec().resources().requests()).containsEntry("cpu", "100m").containsEntry("memory", "256Mi");
    assertThat(w.spec().resources().limits()).containsEntry("memory", "512Mi");
  }

  @Test
  void serviceWinsOverDefaultsWithoutOverride() {
    Workload w = only(resolve(repo()));

    assertThat(w.spec().replicas()).isEqualTo(3);
    assertThat(w.locate("/replicas")).isEqualTo(new Location(SERVICE, 10, 11));
  }

  @Test
  void defaultsApplyWhenTheServiceSaysNothing() {
    Workload w = only(resolve(Fixtures.minimal().file("environments/dev.yaml", ENV_WITH_DEFAULTS)));

    assertThat(w.spec().replicas()).isEqualTo(2);
    assertThat(w.locate("/replicas")).isEqualTo(new Location("environments/dev.yaml", 6, 13));
    assertThat(w.spec().resources().limits()).containsEntry("memory", "128Mi");
  }

  @Test
  void overrideNullRemovesLimitsForThatEnvironmentOnly() {
    Workloads.Result r = resolve(repo()
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            """)
        .file(DEV_OVERRIDE, """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            resources:
              limits: null
            """));

    assertThat(r.diagnostics()).isEmpty();
    Workload dev = r.workloads().get(0);
    Workload prod = r.workloads().get(1);
    assertThat(dev.environment().name()).isEqualTo("dev");
    assertThat(dev.spec().resources().limits()).isEmpty();
    assertThat(dev.spec().resources().requests()).containsEntry("cpu", "100m");
    assertThat(prod.spec().resources().limits()).containsEntry("memory", "512Mi");
  }

  @Test
  void overrideRemovingTheImageIsAnErrorAtItsLineAndTheWorkloadIsDropped() {
    Workloads.Result r = resolve(repo().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 1
        image:
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.isError()).isTrue();
      assertThat(d.code()).isEqualTo("removes-required");
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 4, 1));
      assertThat(d.message()).isEqualTo("this override removes \"image\" (no value means remove), which service "
          + "\"checkout\" needs in environment \"dev\"; give \"image\" a value here, or delete this line to keep "
          + "the value from services/checkout/service.yaml");
    });
  }

  @Test
  void overrideRemovingARequiredNestedFieldIsAnErrorAtThatField() {
    Workloads.Result r = resolve(repo().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        image:
          tag: "1.0.1"
          repository: null
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 5, 3));
      assertThat(d.message()).startsWith("this override removes \"image.repository\" (no value means remove)");
    });
  }

  @Test
  void theRequiredFieldsComeFromTheSchemaWithTheirCombinatorsSentence() {
    var tree = Fixtures.yaml("""
        apiVersion: paved.dev/v1alpha1
        kind: Service
        image: {tag: "1"}
        probes:
          liveness: {}
        autoscaling: {maxReplicas: 3}
        """);

    assertThat(SchemaValidator.instance().missingRequired(Kind.SERVICE, tree)).containsExactly(
        new SchemaValidator.Missing("/autoscaling/minReplicas", null),
        new SchemaValidator.Missing("/image/repository", null),
        new SchemaValidator.Missing("/probes/liveness/exec", "a probe needs exactly one of \"http\", \"tcp\" or \"exec\""),
        new SchemaValidator.Missing("/probes/liveness/http", "a probe needs exactly one of \"http\", \"tcp\" or \"exec\""),
        new SchemaValidator.Missing("/probes/liveness/tcp", "a probe needs exactly one of \"http\", \"tcp\" or \"exec\""),
        new SchemaValidator.Missing("/team", null));
  }

  @Test
  void overrideRemovingOptionalFieldsOrReplacingARequiredOneIsFine() {
    Workload w = only(resolve(repo().file(SERVICE, SERVICE_YAML + """
        probes:
          liveness:
            http: {path: /healthz, port: http}
        """).file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: null
        image:
          tag: null
        probes:
          liveness:
            http: null
            tcp: {port: http}
        """)));

    assertThat(w.spec().replicas()).isNull(); // removed after the environment's defaults were merged
    assertThat(w.spec().image().tag()).isNull();
    assertThat(w.spec().probes().liveness().tcp().port()).isEqualTo("http");
  }

  @Test
  void overrideListsReplaceServiceLists() {
    Workload w = only(resolve(repo().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        ports:
          - name: grpc
            port: 9000
        """)));

    assertThat(w.spec().ports()).extracting(ServiceSpec.Port::name).containsExactly("grpc");
  }

  @Test
  void locateImageTagPointsAtTheOverrideLine() {
    Workload w = only(resolve(repo().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        image:
          tag: "2.0.0"
        """)));

    assertThat(w.spec().image().reference()).isEqualTo("registry.example.com/payments/checkout:2.0.0");
    assertThat(w.locate("/image/tag")).isEqualTo(new Location(DEV_OVERRIDE, 4, 8));
    assertThat(w.locate("/image/repository")).isEqualTo(new Location(SERVICE, 5, 15));
    // an undeclared field falls back to the nearest declared ancestor
    assertThat(w.locate("/image/digest")).isEqualTo(new Location(SERVICE, 5, 3));
    assertThat(w.locate("/route/host")).isEqualTo(new Location(SERVICE, 1, 1));
  }

  @Test
  void servicesRunOnlyInTheirEnvironments() {
    Workloads.Result r = resolve(Fixtures.minimal().team("data")
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            """)
        .file("services/batch/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: data
            environments: [prod]
            image:
              repository: registry.example.com/data/batch
            """));

    assertThat(r.workloads()).extracting(w -> w.environment().name() + "/" + w.name())
        .containsExactly("dev/checkout", "prod/batch", "prod/checkout");
  }

  // ---------------------------------------------------------------- placeholders

  @Test
  void placeholdersAreExpandedAndDoubleDollarIsLiteral() {
    Workload w = only(resolve(Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
          tag: "1.0.0"
        ports:
          - name: http
            port: 8080
        args: ["--env=${environment.name}", "--ns=${ environment.namespace }"]
        variables:
          ENV: ${environment.name}
          WHO: "${service.name} of ${service.team} in ${environment.tier} on ${cluster.name}"
          LITERAL: $${x}
          PRICE: $5
          DB_PASSWORD:
            secret: {name: db, key: password}
        route:
          host: checkout.${environment.name}.example.com
        """)));

    assertThat(w.spec().variables().get("ENV").literal()).isEqualTo("dev");
    assertThat(w.spec().variables().get("WHO").literal()).isEqualTo("checkout of payments in dev on main");
    assertThat(w.spec().variables().get("LITERAL").literal()).isEqualTo("${x}");
    assertThat(w.spec().variables().get("PRICE").literal()).isEqualTo("$5");
    assertThat(w.spec().variables().get("DB_PASSWORD").secret().name()).isEqualTo("db");
    assertThat(w.spec().route().host()).isEqualTo("checkout.dev.example.com");
    assertThat(w.spec().args()).containsExactly("--env=dev", "--ns=payments-dev");
  }

  @Test
  void unknownPlaceholderIsAnErrorAtItsLine() {
    Workloads.Result r = resolve(Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        variables:
          OK: ${service.name}
          BAD: prefix-${environment.nmae}
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("unknown-placeholder");
      assertThat(d.location()).isEqualTo(new Location(SERVICE, 8, 8));
      assertThat(d.message()).contains("${environment.nmae}").contains("${environment.name}").contains("$${...}");
    });
  }

  @Test
  void unknownPlaceholderInAnOverrideIsReportedInTheOverride() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        args:
          - --region=${cluster.region}
        """));

    assertThat(r.diagnostics()).singleElement()
        .satisfies(d -> assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 4, 5)));
  }

  @Test
  void literalVariablesKeepTheirText() {
    Workload w = only(resolve(Fixtures.minimal().file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        image:
          repository: registry.example.com/payments/checkout
        variables:
          PORT: 8080
          DEBUG: true
          RATIO: 0.5
          VERSION: 1.10
          ZIP: 01234
        """)));

    assertThat(w.spec().variables().get("PORT").literal()).isEqualTo("8080");
    assertThat(w.spec().variables().get("DEBUG").literal()).isEqualTo("true");
    assertThat(w.spec().variables().get("RATIO").literal()).isEqualTo("0.5");
    assertThat(w.spec().variables().get("VERSION").literal()).isEqualTo("1.10");
    assertThat(w.spec().variables().get("ZIP").literal()).isEqualTo("01234");
  }

  // ---------------------------------------------------------------- namespaces

  @Test
  void namespaceDefaultsToTeamDashEnvironment() {
    Workload w = only(resolve(Fixtures.minimal()));

    assertThat(w.namespace()).isEqualTo("payments-dev");
  }

  @Test
  void namespacePatternMayUseTheServiceName() {
    Workload w = only(resolve(Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        namespace: "{env}-{service}"
        """)));

    assertThat(w.namespace()).isEqualTo("dev-checkout");
  }

  @Test
  void tooLongNamespaceIsAnErrorAtThePattern() {
    String longTeam = "t".repeat(60);
    Workloads.Result r = resolve(Fixtures.minimal().team(longTeam).file(SERVICE, """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: %s
        image:
          repository: registry.example.com/payments/checkout
        """.formatted(longTeam)).file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        namespace: "{team}-{env}"
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("bad-namespace");
      assertThat(d.location()).isEqualTo(new Location("environments/dev.yaml", 5, 12));
    });
  }

  // ---------------------------------------------------------------- port references, autoscaling

  @Test
  void probeNamingAnUndeclaredPortIsAnError() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        probes:
          liveness:
            http: {path: /healthz, port: htp}
          readiness:
            tcp: {port: 8080}
          startup:
            http: {path: /ready, port: http}
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("dangling-reference");
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 5, 34));
      assertThat(d.message()).contains("port \"htp\"").contains("did you mean \"http\"");
    });
  }

  @Test
  void aProbeOrRoutePortNumberOutsideOneTo65535IsAnErrorNotACrash() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        probes:
          liveness:
            tcp: {port: 9223372036854775807}
          readiness:
            tcp: {port: "0"}
        route: {host: a.example.com, port: 65536}
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).extracting(d -> d.location().line() + ":" + d.code()).containsExactly(
        "5:invalid-value", "7:invalid-value", "8:invalid-value");
    assertThat(r.diagnostics().get(0).message()).startsWith("port 9223372036854775807 is not a port number; "
        + "use a number from 1 to 65535 or the name of a port in \"ports\"");
  }

  @Test
  void routeNamingAnUndeclaredPortIsAnError() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        route:
          host: checkout.example.com
          port: grpc
        """));

    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 5, 9));
      assertThat(d.message()).contains("port \"grpc\"");
    });
  }

  @Test
  void routeWithoutPortsIsAnError() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        ports: []
        route:
          host: checkout.example.com
        """));

    assertThat(r.diagnostics()).singleElement()
        .satisfies(d -> assertThat(d.code()).isEqualTo("route-without-port"));
  }

  @Test
  void duplicatePortNamesAreAnError() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        ports:
          - {name: http, port: 8080}
          - {name: http, port: 8081}
        """));

    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("duplicate-port");
      assertThat(d.location().line()).isEqualTo(5);
    });
  }

  @Test
  void autoscalingMinAboveMaxIsAnErrorAtMin() {
    Workloads.Result r = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        autoscaling:
          minReplicas: 5
          maxReplicas: 2
        """));

    assertThat(r.workloads()).isEmpty();
    assertThat(r.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo("autoscaling-bounds");
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 4, 16));
      assertThat(d.message()).contains("(5)").contains("(2)");
    });
  }

  @Test
  void replicasNextToAutoscalingWarnsUnlessFromEnvironmentDefaults() {
    Workloads.Result fromService = resolve(Fixtures.minimal().file(DEV_OVERRIDE, """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        replicas: 2
        autoscaling: {minReplicas: 2, maxReplicas: 4}
        """));
    Workloads.Result fromDefaults = resolve(Fixtures.minimal().file("environments/dev.yaml", ENV_WITH_DEFAULTS)
        .file(DEV_OVERRIDE, """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            autoscaling: {minReplicas: 2, maxReplicas: 4}
            """));

    assertThat(fromService.workloads()).hasSize(1);
    assertThat(fromService.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.severity()).isEqualTo(Severity.WARNING);
      assertThat(d.code()).isEqualTo("replicas-ignored");
      assertThat(d.location()).isEqualTo(new Location(DEV_OVERRIDE, 3, 11));
    });
    assertThat(fromDefaults.diagnostics()).isEmpty();
  }

  @Test
  void everyProblemOfEveryEnvironmentIsReported() {
    Workloads.Result r = resolve(Fixtures.minimal()
        .file("environments/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: prod
            cluster: main
            """)
        .file(DEV_OVERRIDE, """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            autoscaling: {minReplicas: 5, maxReplicas: 2}
            """)
        .file("services/checkout/env/prod.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            route: {host: x.example.com, port: nope}
            """));

    List<String> files = r.diagnostics().stream().map(d -> d.location().file()).toList();
    assertThat(files).containsExactly(DEV_OVERRIDE, "services/checkout/env/prod.yaml");
    assertThat(r.workloads()).isEmpty();
  }
}
