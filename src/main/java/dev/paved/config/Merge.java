package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merge rules of Paved, in one place: layers are applied in order (environment defaults,
 * then {@code service.yaml}, then the environment's override); maps deep-merge, lists and
 * scalars are replaced whole, {@code null} removes the field. Each resulting node remembers
 * the file and position it came from.
 */
public final class Merge {

  private Merge() {}

  /** One layer: a tree and its source map; {@code prefix} is where the tree sits in its file. */
  public record Layer(JsonNode tree, SourceMap map, String prefix) {}

  /** The merged tree and, by JSON pointer, where each node came from. */
  public record Result(ObjectNode tree, Map<String, Location> origins) {
    public Result {
      // One immutable copy, which Workload keeps as it is (Map.copyOf of it is itself).
      origins = Map.copyOf(origins);
    }
  }

  public static Result apply(List<Layer> layers) {
    ObjectNode target = CompactNodeFactory.INSTANCE.objectNode();
    java.util.NavigableMap<String, Location> origins = new TreeMap<>();
    for (Layer layer : layers) {
      if (layer.tree() != null && layer.tree().isObject()) {
        mergeInto(target, (ObjectNode) layer.tree(), "", layer, origins);
      }
    }
    return new Result(target, origins);
  }

  private static void mergeInto(ObjectNode target, ObjectNode overlay, String pointer, Layer layer,
      java.util.NavigableMap<String, Location> origins) {
    for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode value = e.getValue();
      String p = pointer + "/" + SourceMap.token(name);
      JsonNode existing = target.get(name);
      if (value.isNull()) {
        target.remove(name);
        removeUnder(origins, p);
      } else if (value.isObject() && existing != null && existing.isObject()) {
        mergeInto((ObjectNode) existing, (ObjectNode) value, p, layer, origins);
      } else {
        target.set(name, withoutNulls(value));
        removeUnder(origins, p);
        String from = layer.prefix() + p;
        int cut = layer.prefix().length();
        layer.map().forEachUnder(from, (q, loc) -> origins.put(cut == 0 ? q : q.substring(cut), loc));
        if (!origins.containsKey(p)) {
          origins.put(p, layer.map().value(from));
        }
      }
    }
  }

  private static void removeUnder(java.util.NavigableMap<String, Location> origins, String p) {
    // Most fields are set once: look for a key in the range below p (all of which start with
    // p) before building a view of it.
    String first = origins.ceilingKey(p);
    if (first != null && first.startsWith(p)) {
      SourceMap.under(origins, p).keySet().removeIf(q -> SourceMap.isUnder(q, p));
    }
  }

  /** Whether {@code node} holds a null value anywhere (a map entry or a list item). */
  static boolean containsNull(JsonNode node) {
    if (node.isNull()) {
      return true;
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (containsNull(child)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A copy of {@code node} without null-valued map entries (nulls only mean "remove"). */
  public static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = CompactNodeFactory.INSTANCE.objectNode();
      node.fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          out.set(e.getKey(), withoutNulls(e.getValue()));
        }
      });
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = CompactNodeFactory.INSTANCE.arrayNode();
      node.forEach(n -> out.add(withoutNulls(n)));
      return out;
    }
    return node.deepCopy();
  }
}
