package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Location;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest Paved applies, and how a refusal is read. */
class ServerSideApplyTest {

  private static DesiredObject object(String commit, String value) {
    ObjectNode m = ComparisonTest.json("{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'x',"
        + " 'namespace': 'shop', 'annotations': {'paved.dev/source-commit': '" + commit + "'}}, 'data': {'k': '"
        + value + "'}}");
    return new DesiredObject(ObjectKey.of(m), m, "checkout", new Location("services/checkout/service.yaml", 1, 1),
        Map.of());
  }

  private static String hash(ObjectNode prepared) {
    return prepared.at("/metadata/annotations").path(Labels.APPLIED_HASH).asText();
  }

  @Test
  void thePreparedManifestCarriesAHashOfItsContentThatIgnoresTheCommit() {
    DesiredObject o = object("aaa", "v");
    ObjectNode prepared = ServerSideApply.prepared(o);

    assertThat(hash(prepared)).matches("[0-9a-f]{32}");
    assertThat(o.manifest().at("/metadata/annotations").has(Labels.APPLIED_HASH)).as("the desired object is untouched")
        .isFalse();
    assertThat(prepared.path("data")).isEqualTo(o.manifest().path("data"));
    assertThat(hash(ServerSideApply.prepared(object("bbb", "v")))).as("another commit, same content")
        .isEqualTo(hash(prepared));
    assertThat(hash(ServerSideApply.prepared(object("aaa", "w")))).as("a changed value").isNotEqualTo(hash(prepared));
  }

  @Test
  void aRefusalIsTheApiserversOwnMessageWhenThereIsOne() {
    KubernetesClientException withStatus = new KubernetesClientException(new StatusBuilder().withCode(422)
        .withMessage("ConfigMap \"x\" is invalid: data[not a valid key!]: Invalid value").build());
    assertThat(ServerSideApply.reason(withStatus)).isEqualTo("ConfigMap \"x\" is invalid: data[not a valid key!]:"
        + " Invalid value");
    assertThat(ServerSideApply.reason(new KubernetesClientException("connection refused")))
        .isEqualTo("connection refused");
  }
}
