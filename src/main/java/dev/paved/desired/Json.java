package dev.paved.desired;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Small helpers to build Kubernetes objects as JSON trees. The renderer builds trees directly
 * (Fabric8's builders cost more than everything else together at 10,000 services); tests check
 * that every rendered object parses into Fabric8's typed model with no unknown field.
 */
final class Json {

  private static final dev.paved.config.CompactNodeFactory F = dev.paved.config.CompactNodeFactory.INSTANCE;

  private Json() {}

  static ObjectNode object() {
    return F.objectNode();
  }

  static ObjectNode resource(String apiVersion, String kind) {
    ObjectNode o = F.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    return o;
  }

  static ObjectNode metadata(String name, String namespace, Map<String, String> labels,
      Map<String, String> annotations) {
    ObjectNode m = F.objectNode();
    if (!annotations.isEmpty()) {
      m.set("annotations", strings(annotations));
    }
    if (!labels.isEmpty()) {
      m.set("labels", strings(labels));
    }
    m.put("name", name);
    if (namespace != null) {
      m.put("namespace", namespace);
    }
    return m;
  }

  /** A map of strings, keys in the map's order (callers pass sorted maps). */
  static ObjectNode strings(Map<String, String> map) {
    ObjectNode o = F.objectNode(map.size());
    map.forEach(o::put);
    return o;
  }

  static ArrayNode strings(List<String> list) {
    ArrayNode a = F.arrayNode();
    list.forEach(a::add);
    return a;
  }
}
