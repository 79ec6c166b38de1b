package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OwnerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Owner owner = new Owner("alpha", "prod");

  private static JsonNode object(String labels, String annotations) throws Exception {
    return JSON.readTree("""
        {"metadata": {"name": "x", "labels": {%s}, "annotations": {%s},
          "managedFields": [{"manager": "kubectl-client-side-apply"}, {"manager": "ops"}, {"manager": "ops"}]}}
        """.formatted(labels, annotations));
  }

  @Test
  void ownsItsOwnMarkAndTheMarkFromBeforeRepoIds() throws Exception {
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/environment\": \"prod\", "
        + "\"paved.dev/repo\": \"alpha\"", ""))).isTrue();
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/environment\": \"prod\"",
        ""))).isTrue();
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/environment\": \"prod\", "
        + "\"paved.dev/repo\": \"beta\"", ""))).isFalse();
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/environment\": \"dev\", "
        + "\"paved.dev/repo\": \"alpha\"", ""))).isFalse();
    assertThat(owner.owns(object("", ""))).isFalse();
    // the environment label removed by someone: still this repo's
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/repo\": \"alpha\"", "")))
        .isTrue();
    assertThat(owner.owns(object("\"app.kubernetes.io/managed-by\": \"paved\"", ""))).isFalse();
  }

  @Test
  void anUnownedObjectIsAConflictNamingItsManagersUnlessMarkedForAdoption() throws Exception {
    Owner.Admission a = owner.admit(object("", ""), object("\"owner\": \"ops\"", ""));
    assertThat(a.verdict()).isEqualTo(Owner.Verdict.CONFLICT);
    assertThat(a.reason()).contains("field managers: kubectl-client-side-apply, ops)", "paved.dev/adopt: \"true\"");

    assertThat(owner.admit(object("", "\"paved.dev/adopt\": \"true\""), object("\"owner\": \"ops\"", "")).verdict())
        .isEqualTo(Owner.Verdict.ADOPTED);
    assertThat(owner.admit(object("", "\"paved.dev/adopt\": \"yes\""), object("", "")).verdict())
        .isEqualTo(Owner.Verdict.CONFLICT);
  }

  @Test
  void anotherPavedOwnersObjectIsAConflictEvenMarkedForAdoption() throws Exception {
    Owner.Admission a = owner.admit(object("", "\"paved.dev/adopt\": \"true\""), object(
        "\"app.kubernetes.io/managed-by\": \"paved\", \"paved.dev/environment\": \"prod\", \"paved.dev/repo\": \"beta\"",
        ""));
    assertThat(a.verdict()).isEqualTo(Owner.Verdict.CONFLICT);
    assertThat(a.reason()).contains("belongs to Paved for repo \"beta\", environment \"prod\"");
  }

  @Test
  void stampsItsLabelsAndRefusesARepoIdThatIsNoLabel() throws Exception {
    JsonNode stamped = owner.stamp((com.fasterxml.jackson.databind.node.ObjectNode) object("\"a\": \"b\"", ""));
    assertThat(stamped.path("metadata").path("labels").toString())
        .isEqualTo("{\"a\":\"b\",\"app.kubernetes.io/managed-by\":\"paved\",\"paved.dev/environment\":\"prod\","
            + "\"paved.dev/repo\":\"alpha\"}");
    assertThatThrownBy(() -> new Owner("Not/A label", "prod")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a DNS label");
  }
}
