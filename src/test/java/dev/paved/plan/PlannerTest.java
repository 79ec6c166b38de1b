package dev.paved.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Location;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.plan.Plan.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A ConfigMap of {@code data} (JSON), stamped with {@code commit}. */
  private static DesiredObject configMap(String data, String commit) {
    ObjectNode m = (ObjectNode) json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\","
        + "\"namespace\":\"payments-dev\",\"annotations\":{\"" + Labels.SOURCE_COMMIT + "\":\"" + commit + "\"}},"
        + "\"data\":" + data + "}");
    return new DesiredObject(ObjectKey.of(m), m, "checkout", new Location("services/checkout/manifests/cm.yaml", 1, 1),
        Map.of());
  }

  private static Plan.EnvironmentPlan plan(DesiredObject before, DesiredObject after) {
    DesiredState base = new DesiredState("c1", Map.of("dev", new EnvironmentState("dev", "dev", "main", List.of(before))));
    DesiredState head = new DesiredState("c2", Map.of("dev", new EnvironmentState("dev", "dev", "main", List.of(after))));
    return new Planner(new Redactor()).between(base, List.of(), head, List.of()).environments().get(0);
  }

  @Test
  void anObjectOnlyRestampedWithTheNewCommitIsUnchanged() {
    Plan.EnvironmentPlan p = plan(configMap("{\"a\":\"1\",\"b\":\"2\"}", "c1"), configMap("{\"a\":\"1\",\"b\":\"2\"}", "c2"));

    assertThat(p.changes()).isEmpty();
    assertThat(p.unchanged()).isEqualTo(1);
  }

  @Test
  void aChangedValueAndAReorderedMapAreChangesWithTheirDiff() {
    Plan.EnvironmentPlan value = plan(configMap("{\"a\":\"1\"}", "c1"), configMap("{\"a\":\"2\"}", "c2"));
    // The plan shows what the YAML of the object shows: a reordered map is a change of the text.
    Plan.EnvironmentPlan order = plan(configMap("{\"a\":\"1\",\"b\":\"2\"}", "c1"), configMap("{\"b\":\"2\",\"a\":\"1\"}", "c2"));

    assertThat(value.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Action.CHANGE);
      assertThat(c.diff()).contains("-  a: \"1\"").contains("+  a: \"2\"");
    });
    assertThat(order.changes()).singleElement().extracting(Plan.ObjectChange::action).isEqualTo(Action.CHANGE);
    assertThat(order.unchanged()).isZero();
  }

  @Test
  void sameInOrderIsEqualityWithFieldOrderAndNodeTypes() {
    assertThat(Planner.sameInOrder(json("{\"a\":[1,{\"b\":null}],\"c\":\"x\"}"), json("{\"a\":[1,{\"b\":null}],\"c\":\"x\"}")))
        .isTrue();
    // JsonNode.equals calls these equal; their YAML differs
    assertThat(json("{\"a\":1,\"b\":2}")).isEqualTo(json("{\"b\":2,\"a\":1}"));
    assertThat(Planner.sameInOrder(json("{\"a\":1,\"b\":2}"), json("{\"b\":2,\"a\":1}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":[1,2]}"), json("{\"a\":[2,1]}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":[1]}"), json("{\"a\":[1,1]}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":{}}"), json("{\"a\":[]}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":1}"), json("{\"a\":1.0}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":1}"), json("{\"a\":10000000000}"))).isFalse();
    assertThat(Planner.sameInOrder(json("{\"a\":\"1\"}"), json("{\"a\":1}"))).isFalse();
  }

  @Test
  void sameButCommitIgnoresOnlyTheCommitAnnotationAndKeepsFieldOrder() {
    String a = "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"annotations\":{\"" + Labels.SOURCE_COMMIT
        + "\":\"c1\",\"team\":\"t\"}},\"data\":{\"a\":\"1\"}}";
    assertThat(Planner.sameButCommit(json(a), json(a.replace("c1", "c2")), 0)).isTrue();
    // the annotation elsewhere, another annotation, the order of the data: changes
    assertThat(Planner.sameButCommit(json(a), json(a.replace("\"team\":\"t\"", "\"team\":\"u\"")), 0)).isFalse();
    assertThat(Planner.sameButCommit(json(a), json(a.replace("\"data\":{\"a\":\"1\"}",
        "\"data\":{\"" + Labels.SOURCE_COMMIT + "\":\"1\"}")), 0)).isFalse();
    assertThat(Planner.sameButCommit(json("{\"data\":{\"a\":\"1\",\"b\":\"2\"}}"),
        json("{\"data\":{\"b\":\"2\",\"a\":\"1\"}}"), 0)).isFalse();
    // one side without the annotation at all is the same as one with it (what the cleaned copies show)
    assertThat(Planner.sameButCommit(json(a), json(a.replace("\"" + Labels.SOURCE_COMMIT + "\":\"c1\",", "")), 0))
        .isTrue();
    assertThat(Planner.sameButCommit(json(a), json(a.replace("\"team\":\"t\"", "\"team\":\"t\",\"x\":\"y\"")), 0))
        .isFalse();
  }
}
