package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paved.config.Fixtures;
import dev.paved.desired.DesiredObject;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who changed a drifted field ({@link DriftAttribution}) and which fields are ignored. */
class DriftAttributionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final JsonNode LIVE = json("""
      {'metadata': {'name': 'web', 'labels': {'app': 'web', 'team': 'x'},
        'managedFields': [
          {'manager': 'paved', 'operation': 'Apply', 'time': '2025-01-01T00:00:00Z',
           'fieldsV1': {'f:metadata': {'f:labels': {'f:app': {}}},
                        'f:spec': {'f:template': {'f:spec': {'f:containers': {'k:{\\"name\\":\\"web\\"}': {'.': {}, 'f:name': {}}}}}}}},
          {'manager': 'kubectl-edit', 'operation': 'Update', 'time': '2025-01-02T00:00:00Z',
           'fieldsV1': {'f:spec': {'f:template': {'f:spec': {'f:containers': {'k:{\\"name\\":\\"web\\"}': {'f:image': {}}}}}}}},
          {'manager': 'ops', 'operation': 'Update', 'time': '2025-01-03T00:00:00Z',
           'fieldsV1': {'f:metadata': {'f:labels': {'f:team': {}}}, 'f:spec': {'f:ports': {'k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}': {'f:name': {}}}}}},
          {'manager': 'status-writer', 'operation': 'Update', 'subresource': 'status', 'time': '2025-01-04T00:00:00Z',
           'fieldsV1': {'f:status': {'f:replicas': {}}}}
        ]},
       'spec': {'ports': [{'port': 80, 'protocol': 'TCP', 'name': 'http'}],
                'template': {'spec': {'containers': [{'name': 'web', 'image': 'evil'}]}}}}
      """);

  @Test
  void namesTheManagersOwningTheDriftedFieldsThroughListKeys() {
    assertThat(DriftAttribution.managers(LIVE, List.of("/spec/template/spec/containers/0/image"), "paved"))
        .containsExactly("kubectl-edit");
    assertThat(DriftAttribution.managers(LIVE, List.of("/metadata/labels/team"), "paved")).containsExactly("ops");
    assertThat(DriftAttribution.managers(LIVE, List.of("/spec/ports/0/name"), "paved")).containsExactly("ops");
    // A whole list that differs: whoever owns something in it.
    assertThat(DriftAttribution.managers(LIVE, List.of("/spec/template/spec/containers", "/metadata/labels/team"),
        "paved")).containsExactly("kubectl-edit", "ops");
  }

  @Test
  void aFieldNobodyOwnsIsAttributedToTheLatestUpdateOfTheObjectNotItsStatus() {
    // e.g. a label Paved declares was removed: nobody owns a missing field.
    assertThat(DriftAttribution.managers(LIVE, List.of("/metadata/labels/gone"), "paved")).containsExactly("ops");
    assertThat(DriftAttribution.managers(json("{'metadata': {}}"), List.of("/a"), "paved")).isEmpty();
    assertThat(DriftAttribution.owns(json("{}"), LIVE, "/")).isFalse();
  }

  @Test
  void ignoreRulesComeFromTheServiceAndItsOverride() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal()
        .file("services/checkout/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: payments
            image:
              repository: registry.example.com/payments/checkout
              tag: "1.0.0"
            ports:
              - name: http
                port: 8080
            ignoreDifferences:
              - kind: Deployment
                jsonPointers: [/spec/template/metadata/annotations]
              - kind: Service
                name: other
                jsonPointers: [/metadata/labels]
            """)
        .tree());
    assertThat(e.problems()).isEmpty();
    IgnoreRules rules = IgnoreRules.of(e.rendered().orElseThrow(), "dev");
    List<DesiredObject> objects = e.desired().orElseThrow().environment("dev").orElseThrow().objects();
    DesiredObject deployment = objects.stream().filter(o -> o.key().kind().equals("Deployment")).findFirst()
        .orElseThrow();
    DesiredObject service = objects.stream().filter(o -> o.key().kind().equals("Service")).findFirst()
        .orElseThrow();
    assertThat(rules.ignored(deployment)).containsExactly("/spec/template/metadata/annotations");
    assertThat(rules.ignored(service)).isEmpty();
    assertThat(IgnoreRules.without(List.of("/spec/template/metadata/annotations/a~1b", "/spec/replicas",
        "/spec/template/metadata/annotationsX"), rules.ignored(deployment)))
        .containsExactly("/spec/replicas", "/spec/template/metadata/annotationsX");
  }

  @Test
  void ignoreDifferencesIsValidatedByTheSchema() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal()
        .file("services/checkout/env/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Override
            ignoreDifferences:
              - kind: Deployment
                jsonPointers: [spec/replicas]
            """)
        .tree());
    assertThat(e.hasErrors()).isTrue();
    assertThat(e.problems().toString()).contains("ignoreDifferences");
  }
}
