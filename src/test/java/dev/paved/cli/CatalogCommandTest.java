package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code paved catalog} on examples/platform. */
class CatalogCommandTest {

  private static List<JsonNode> documents(String yaml) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      new YAMLMapper().readValues(parser, JsonNode.class).forEachRemaining(out::add);
    }
    return out;
  }

  private static JsonNode entity(List<JsonNode> all, String kind, String name) {
    return all.stream().filter(e -> e.path("kind").asText().equals(kind)
        && e.at("/metadata/name").asText().equals(name)).findFirst().orElseThrow(() ->
        new AssertionError(kind + "/" + name + " not in the catalog"));
  }

  @Test
  void backstageEntitiesForTeamsServicesAndSystems() throws Exception {
    Cli r = Cli.run("catalog", ExamplesTest.PLATFORM.toString(), "--dashboard-url", "https://paved.example.com/");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    List<JsonNode> all = documents(r.out());
    assertThat(all).allSatisfy(e -> assertThat(e.path("apiVersion").asText()).isEqualTo("backstage.io/v1alpha1"));
    assertThat(all.stream().filter(e -> e.path("kind").asText().equals("Group"))).hasSize(3);
    assertThat(all.stream().filter(e -> e.path("kind").asText().equals("Component"))).hasSize(7);

    JsonNode payments = entity(all, "Group", "payments");
    assertThat(payments.at("/spec/type").asText()).isEqualTo("team");
    assertThat(payments.at("/metadata/annotations/github.com~1team-slug").asText()).isEqualTo("webshop/payments");
    assertThat(payments.at("/spec/profile/email").asText()).isEqualTo("payments-leads@example.com");

    JsonNode checkout = entity(all, "Component", "checkout");
    assertThat(checkout.at("/spec/owner").asText()).isEqualTo("group:payments");
    assertThat(checkout.at("/spec/type").asText()).isEqualTo("service");
    assertThat(checkout.at("/spec/lifecycle").asText()).isEqualTo("production");
    assertThat(checkout.at("/spec/system").asText()).isEqualTo("payments");
    assertThat(checkout.at("/metadata/description").asText()).startsWith("Public checkout API");
    assertThat(checkout.at("/metadata/annotations/paved.dev~1dashboard").asText())
        .isEqualTo("https://paved.example.com/#/services/checkout");
    assertThat(checkout.at("/metadata/annotations/paved.dev~1environments").asText()).isEqualTo("dev, prod, staging");

    assertThat(entity(all, "System", "payments").at("/spec/owner").asText()).isEqualTo("group:payments");
    assertThat(entity(all, "Component", "web").at("/spec/system").isMissingNode()).isTrue();
  }

  @Test
  void jsonIsTheSameEntities() throws Exception {
    Cli yaml = Cli.run("catalog", ExamplesTest.PLATFORM.toString());
    Cli json = Cli.run("catalog", ExamplesTest.PLATFORM.toString(), "--format", "json");
    assertThat(json.exit()).as(json.err()).isEqualTo(ExitCodes.OK);
    assertThat(new ObjectMapper().readTree(json.out())).containsExactlyElementsOf(documents(yaml.out()));
  }

  @Test
  void aRepoThatDoesNotLoadPrintsItsProblems() {
    Cli r = Cli.run("catalog", Path.of("examples/invalid/unknown-field").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.err()).contains("error:");
  }
}
