package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI on the shipped examples: the platform validates, every broken fixture fails as documented. */
class ExamplesTest {

  static final Path PLATFORM = Path.of("examples/platform");

  @Test
  void platformExampleValidates() {
    Cli r = Cli.run("validate", PLATFORM.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("OK: 0 error(s)").contains("3 environments rendered");
  }

  static Stream<Path> invalidCases() throws IOException {
    return Files.list(Path.of("examples/invalid")).filter(Files::isDirectory).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidCases")
  void invalidFixtureFailsWithTheExpectedMessage(Path fixture) throws IOException {
    Cli r = Cli.run("validate", fixture.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    for (String expected : Files.readAllLines(fixture.resolve("EXPECTED"))) {
      if (!expected.isBlank()) {
        assertThat(r.out()).contains(expected.strip());
      }
    }
    assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void oversizedFileAndEscapingSymlinkAreReportedNotRead(@TempDir Path tmp) throws IOException {
    Path repo = tmp.resolve("repo");
    copy(Path.of("examples/invalid/unknown-field"), repo);
    Files.writeString(repo.resolve("services/app/service.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: demo
        image: {repository: registry.example.com/demo/app, tag: "1.0.0"}
        """);
    Files.createDirectories(repo.resolve("services/big"));
    Files.writeString(repo.resolve("services/big/service.yaml"), "description: " + "x".repeat(5 * 1024 * 1024));
    Path outside = Files.writeString(tmp.resolve("outside.yaml"), "apiVersion: paved.dev/v1alpha1\n");
    Files.createSymbolicLink(repo.resolve("environments/stolen.yaml"), outside);
    Cli r = Cli.run("validate", repo.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out())
        .contains("services/big/service.yaml:1:1: error: file is 5242893 bytes, larger than the 1048576 bytes")
        .contains("environments/stolen.yaml:1:1: error: symlink points outside the config repo");
  }

  @Test
  void anUnparsableKubeconfigIsNamedNeverQuoted(@TempDir Path tmp) throws IOException {
    Path broken = Files.writeString(tmp.resolve("kubeconfig"), "users: [{name: u, user: {token: s3cr3t-t0ken\n::\n");
    Cli r = Cli.run("plan", PLATFORM.toString(), "--env", "dev", "--kubeconfig", broken.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.err()).contains("paved: cluster \"nonprod\": kubeconfig " + broken + " is not a valid kubeconfig");
    assertThat(r.out() + r.err()).doesNotContain("s3cr3t").doesNotContain("token");
  }

  @Test
  void validateJsonIsMachineReadable() throws IOException {
    Cli r = Cli.run("validate", "--format", "json", "examples/invalid/unknown-field");
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(json.path("ok").asBoolean(true)).isFalse();
    JsonNode d = json.path("diagnostics").get(0);
    assertThat(d.path("file").asText()).isEqualTo("services/app/service.yaml");
    assertThat(d.path("line").asInt()).isEqualTo(8);
    assertThat(d.path("column").asInt()).isEqualTo(1);
    assertThat(d.path("code").asText()).isEqualTo("unknown-field");
  }

  @Test
  void renderedProdRoundTripsThroughFabric8TypedModel() throws IOException {
    Cli r = Cli.run("render", PLATFORM.toString(), "--env", "prod");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<String> docs = documents(r.out());
    assertThat(docs).hasSizeGreaterThan(30);
    for (String doc : docs) {
      JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(doc);
      HasMetadata typed = Manifests.serialization().unmarshal(doc);
      assertThat(typed).as(doc).isNotInstanceOf(GenericKubernetesResource.class);
      assertThat(normalized(Manifests.toTree(typed))).as("round trip of %s", typed.getKind())
          .isEqualTo(normalized(tree));
    }
  }

  @Test
  void renderIsDeterministicAndCanWriteFiles(@TempDir Path tmp) throws IOException {
    Cli first = Cli.run("render", PLATFORM.toString(), "--env", "staging");
    Cli second = Cli.run("render", PLATFORM.toString(), "--env", "staging");
    assertThat(first.out()).isEqualTo(second.out()).isNotEmpty();
    Cli one = Cli.run("render", PLATFORM.toString(), "--env", "dev", "--service", "checkout", "--out", tmp.toString());
    assertThat(one.exit()).isEqualTo(ExitCodes.OK);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .contains("deployment-payments-dev-checkout.yaml", "service-payments-dev-checkout.yaml");
    }
  }

  @Test
  void usageErrorsExitTwoAndHelpExitsZero() {
    assertThat(Cli.run("render", PLATFORM.toString(), "--env", "qa").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(Cli.run("render", PLATFORM.toString(), "--env", "qa").err()).contains("unknown environment \"qa\"");
    assertThat(Cli.run("validate", "--no-such-option").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(Cli.run("validate", "/no/such/dir").exit()).isEqualTo(ExitCodes.USAGE);
    for (String cmd : List.of("validate", "render", "diff", "generate-completion")) {
      Cli help = Cli.run(cmd, "--help");
      assertThat(help.exit()).as(cmd).isEqualTo(ExitCodes.OK);
      assertThat(help.out()).as(cmd).contains("Usage: paved " + cmd);
    }
    assertThat(Cli.run("--version").out()).startsWith("paved ");
    assertThat(Cli.run("generate-completion").out()).contains("complete -F");
  }

  /** The same JSON with number nodes of one type (Fabric8 uses Long where YAML gives int). */
  static JsonNode normalized(JsonNode tree) throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    return mapper.readTree(mapper.writeValueAsString(tree));
  }

  static List<String> documents(String stream) {
    List<String> out = new ArrayList<>();
    for (String doc : stream.split("(?m)^---\\n")) {
      if (!doc.isBlank()) {
        out.add(doc);
      }
    }
    return out;
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
