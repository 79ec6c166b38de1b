package dev.paved.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.UncheckedIOException;
import java.util.List;

/** Conversions between Fabric8's typed model, JSON trees and YAML, all deterministic. */
public final class Manifests {

  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build());

  static {
    YAML.configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  }

  private Manifests() {}

  /** A Fabric8 model object as a JSON tree, keys in the model's declared order. */
  public static ObjectNode toTree(Object kubernetesObject) {
    return KUBE.convertValue(kubernetesObject, ObjectNode.class);
  }

  /** Parses a tree into Fabric8's typed model (a typed class when the kind is known). */
  public static <T> T toTyped(JsonNode tree, Class<T> type) {
    return KUBE.convertValue(tree, type);
  }

  public static KubernetesSerialization serialization() {
    return KUBE;
  }

  /** One object as YAML (no document marker). */
  public static String toYaml(JsonNode tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Several objects as one multi-document YAML stream. */
  public static String toYamlStream(List<DesiredObject> objects) {
    StringBuilder b = new StringBuilder();
    for (DesiredObject o : objects) {
      b.append("---\n").append(o.yaml());
    }
    return b.toString();
  }
}
