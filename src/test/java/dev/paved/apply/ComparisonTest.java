package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What counts as a difference between git's object and the live one, and what an apply keeps. */
class ComparisonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode resources(String requests, String limits) {
    return json("{'spec': {'containers': [{'name': 'web', 'resources': {'requests': " + requests + ", 'limits': "
        + limits + "}}]}}");
  }

  @Test
  void theSameDesiredObjectAtAnotherCommitIsTheSameButAnyOtherChangeIsNot() {
    ObjectNode a = json("{'kind': 'ConfigMap', 'metadata': {'name': 'x', 'annotations': {'paved.dev/source-commit': 'aaa',"
        + " 'paved.dev/source': 'f.yaml'}, 'labels': {'a': 'b'}}, 'data': {'k': 'v'}}");
    ObjectNode b = a.deepCopy();
    ((ObjectNode) b.at("/metadata/annotations")).put("paved.dev/source-commit", "bbb");
    assertThat(Comparison.sameDesired(a, b)).isTrue();
    assertThat(Comparison.sameDesired(a, a)).isTrue();

    ObjectNode data = b.deepCopy();
    ((ObjectNode) data.get("data")).put("k", "w");
    ObjectNode source = b.deepCopy();
    ((ObjectNode) source.at("/metadata/annotations")).put("paved.dev/source", "g.yaml");
    ObjectNode label = b.deepCopy();
    ((ObjectNode) label.at("/metadata/labels")).put("a", "c");
    ObjectNode extra = b.deepCopy();
    ((ObjectNode) extra.at("/metadata/annotations")).remove("paved.dev/source-commit");
    ((ObjectNode) extra.at("/metadata/annotations")).put("other", "aaa");
    ObjectNode noMeta = b.deepCopy();
    noMeta.remove("metadata");
    for (ObjectNode changed : java.util.List.of(data, source, label, extra, noMeta)) {
      assertThat(Comparison.sameDesired(a, changed)).as(changed.toString()).isFalse();
      assertThat(Comparison.sameDesired(changed, a)).as(changed.toString()).isFalse();
    }
  }

  @Test
  void quantitiesAreComparedByValueAsTheApiserverStoresThemCanonically() {
    JsonNode desired = resources("{'cpu': '0.5', 'memory': '1024Mi'}", "{'cpu': 1, 'memory': '2048Mi'}");
    JsonNode live = resources("{'cpu': '500m', 'memory': '1Gi'}", "{'cpu': '1', 'memory': '2Gi'}");
    assertThat(Comparison.differences(desired, live)).isEmpty();

    JsonNode edited = resources("{'cpu': '500m', 'memory': '1Gi'}", "{'cpu': '1', 'memory': '4Gi'}");
    assertThat(Comparison.differences(desired, edited))
        .containsExactly("/spec/containers/0/resources/limits/memory");
    // 1G (decimal) is not 1Gi (binary).
    assertThat(Comparison.differences(resources("{'memory': '1G'}", "{}"), resources("{'memory': '1Gi'}", "{}")))
        .containsExactly("/spec/containers/0/resources/requests/memory");
  }

  @Test
  void onlyQuantityFieldsAreComparedByValue() {
    // A label or an environment variable holding "1000" is not the same as one holding "1k".
    assertThat(Comparison.differences(json("{'metadata': {'labels': {'size': '1000'}}}"),
        json("{'metadata': {'labels': {'size': '1k'}}}"))).containsExactly("/metadata/labels/size");
    assertThat(Comparison.differences(json("{'env': [{'name': 'N', 'value': '0.5'}]}"),
        json("{'env': [{'name': 'N', 'value': '500m'}]}"))).containsExactly("/env/0/value");
    assertThat(Comparison.quantityAt("/spec/hard/requests.cpu")).isTrue();
    assertThat(Comparison.quantityAt("/spec/volumes/0/emptyDir/sizeLimit")).isTrue();
    assertThat(Comparison.quantityAt("/spec/containers/0/image")).isFalse();
    assertThat(Comparison.quantityAt("/limits")).isFalse();
    // Not a quantity at all: different.
    assertThat(Comparison.differences(resources("{'cpu': 'lots'}", "{}"), resources("{'cpu': 'many'}", "{}")))
        .hasSize(1);
  }

  @Test
  void sameAtComparesOneFieldByValue() {
    JsonNode a = json("{'spec': {'replicas': 2, 'x': {'y': [1, 2]}}}");
    JsonNode b = json("{'spec': {'replicas': 2, 'x': {'y': [1, 3]}}}");
    assertThat(Comparison.sameAt(a, b, "/spec/replicas")).isTrue();
    assertThat(Comparison.sameAt(a, b, "/spec/x")).isFalse();
    assertThat(Comparison.sameAt(a, b, "/spec/missing")).isTrue();
    assertThat(Comparison.sameAt(a, json("{'spec': {}}"), "/spec/replicas")).isFalse();
  }

  @Test
  void anApplyKeepsIgnoredFieldsAsTheyAreLive() {
    ObjectNode manifest = json("""
        {'metadata': {'name': 'web', 'annotations': {'a': '1', 'b': '2', 'paved.dev/applied-hash': 'new'}},
         'spec': {'replicas': 2, 'template': {'spec': {'containers': [{'name': 'web', 'image': 'git:2'}]}}}}""");
    JsonNode live = json("""
        {'metadata': {'name': 'web', 'annotations': {'a': '9', 'c': '3', 'paved.dev/applied-hash': 'old'}},
         'spec': {'template': {'spec': {'containers': [{'name': 'web', 'image': 'mirror:1'}]}}}}""");

    ObjectNode kept = IgnoreRules.keepLive(manifest, Set.of("/spec/template/spec/containers/0/image",
        "/metadata/annotations", "/spec/replicas", "/spec/notDeclared"), live);

    // The live image; the live value of a declared annotation, a declared one absent live left
    // out, another manager's not taken; replicas absent live left out; git's applied hash.
    assertThat(kept).isEqualTo(json("""
        {'metadata': {'name': 'web', 'annotations': {'a': '9', 'paved.dev/applied-hash': 'new'}},
         'spec': {'template': {'spec': {'containers': [{'name': 'web', 'image': 'mirror:1'}]}}}}"""));
    assertThat(manifest.path("spec").path("replicas").asInt()).isEqualTo(2); // the input is not changed
    // Nothing ignored, or nothing live (a creation): git's manifest as it is.
    assertThat(IgnoreRules.keepLive(manifest, Set.of(), live)).isSameAs(manifest);
    assertThat(IgnoreRules.keepLive(manifest, Set.of("/spec/replicas"), null)).isSameAs(manifest);
  }
}
