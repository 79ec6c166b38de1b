package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.SourceMap;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure comparisons of a desired object with a live one, over the fields Paved declares only:
 * what the apiserver defaulted, what other managers own outside our fields, status and
 * metadata bookkeeping are not differences. This is what keeps Paved from the perpetual
 * "OutOfSync with a blank diff" of defaulted fields.
 *
 * <p>Resource quantities are compared by value (Fabric8's {@link Quantity}): the apiserver
 * stores {@code 0.5} CPU as {@code 500m} and {@code 1024Mi} as {@code 1Gi}. Other rewrites
 * (an empty list or string dropped) are left to a server-side dry run to confirm
 * ({@link ResourceManager#diff}).
 */
public final class Comparison {

  /** Metadata fields the apiserver maintains; never compared. */
  private static final Set<String> NOISE = Set.of("resourceVersion", "uid", "generation", "creationTimestamp",
      "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers");

  /**
   * Maps whose values are quantities (container resources, quotas, limit ranges, overhead,
   * capacity), and fields that are one.
   */
  private static final Set<String> QUANTITY_MAPS = Set.of("requests", "limits", "hard", "overhead", "capacity",
      "allocatable", "default", "defaultRequest", "max", "min", "maxLimitRequestRatio");
  private static final Set<String> QUANTITY_FIELDS = Set.of("sizeLimit", "averageValue");

  private Comparison() {}

  /**
   * JSON pointers of every field Paved declares whose live value differs (or is missing).
   * Ignores {@code paved.dev/source-commit}: a new commit alone does not change an object.
   */
  public static List<String> differences(JsonNode desired, JsonNode live) {
    List<String> out = new ArrayList<>();
    compare(withoutVolatile(desired), live == null ? null : live, "", out);
    return out;
  }

  /** Whether the live object already holds every field Paved declares. */
  public static boolean holds(JsonNode desired, JsonNode live) {
    return live != null && differences(desired, live).isEmpty();
  }

  /**
   * Whether two versions of the same live object (e.g. before and after a server-side dry-run
   * apply) are equal, ignoring bookkeeping metadata and status.
   */
  public static boolean sameContent(JsonNode a, JsonNode b) {
    return clean(a).equals(clean(b));
  }

  private static JsonNode clean(JsonNode n) {
    ObjectNode c = n.deepCopy();
    c.remove("status");
    if (c.get("metadata") instanceof ObjectNode m) {
      NOISE.forEach(m::remove);
    }
    return normalizeNumbers(c);
  }

  private static JsonNode normalizeNumbers(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(normalizeNumbers(e.getValue()));
      }
      return o;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) n).set(i, normalizeNumbers(n.get(i)));
      }
      return n;
    }
    if (n.isIntegralNumber()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(n.bigIntegerValue());
    }
    return n;
  }

  /**
   * Whether two desired manifests are the same but for {@code paved.dev/source-commit}: cheap
   * when they share nodes (successive evaluations share every unchanged subtree).
   */
  public static boolean sameDesired(JsonNode a, JsonNode b) {
    return sameExcept(a, b, "metadata", 0);
  }

  /** Equal, comparing {@code field}'s value one level down the same way (metadata, then annotations). */
  private static boolean sameExcept(JsonNode a, JsonNode b, String field, int depth) {
    if (a == b) {
      return true;
    }
    if (!(a instanceof ObjectNode x) || !(b instanceof ObjectNode y) || x.size() != y.size()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = x.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode other = y.get(e.getKey());
      if (other == null) {
        return false;
      }
      boolean same;
      if (depth == 0 && e.getKey().equals(field)) {
        same = sameExcept(e.getValue(), other, "annotations", 1);
      } else if (depth == 1 && e.getKey().equals(field)) {
        same = sameExcept(e.getValue(), other, Labels.SOURCE_COMMIT, 2);
      } else {
        same = depth == 2 && e.getKey().equals(field) || e.getValue() == other || e.getValue().equals(other);
      }
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** A copy without the per-commit annotation. */
  public static JsonNode withoutVolatile(JsonNode desired) {
    JsonNode copy = desired.deepCopy();
    JsonNode ann = copy.path("metadata").path("annotations");
    if (ann instanceof ObjectNode a) {
      a.remove(Labels.SOURCE_COMMIT);
    }
    return copy;
  }

  private static void compare(JsonNode desired, JsonNode live, String pointer, List<String> out) {
    if (desired == null || desired.isNull()) {
      return;
    }
    if (live == null || live.isMissingNode() || live.isNull()) {
      out.add(pointer.isEmpty() ? "/" : pointer);
      return;
    }
    if (desired.isObject()) {
      if (!live.isObject()) {
        out.add(pointer);
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (pointer.equals("/metadata") && NOISE.contains(e.getKey())) {
          continue;
        }
        compare(e.getValue(), live.get(e.getKey()), pointer + "/" + SourceMap.token(e.getKey()), out);
      }
      return;
    }
    if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        out.add(pointer);
        return;
      }
      for (int i = 0; i < desired.size(); i++) {
        compare(desired.get(i), live.get(i), pointer + "/" + i, out);
      }
      return;
    }
    if (!scalarEquals(desired, live) && !(quantityAt(pointer) && sameQuantity(desired, live))) {
      out.add(pointer);
    }
  }

  /** Whether the field at {@code pointer} holds a quantity (a value of a resource map, or a quantity field). */
  static boolean quantityAt(String pointer) {
    int last = pointer.lastIndexOf('/');
    if (last < 0) {
      return false;
    }
    if (QUANTITY_FIELDS.contains(pointer.substring(last + 1))) {
      return true;
    }
    int parent = pointer.lastIndexOf('/', last - 1);
    return parent >= 0 && QUANTITY_MAPS.contains(pointer.substring(parent + 1, last));
  }

  /** Whether two quantities ({@code "0.5"}, {@code 0.5}, {@code "500m"}) have the same value. */
  static boolean sameQuantity(JsonNode a, JsonNode b) {
    try {
      return new Quantity(a.asText()).compareTo(new Quantity(b.asText())) == 0;
    } catch (RuntimeException e) {
      return false; // not a quantity: the values differ
    }
  }

  /** Whether {@code a} and {@code b} hold equal values at {@code pointer} (both missing counts as equal). */
  public static boolean sameAt(JsonNode a, JsonNode b, String pointer) {
    JsonNode x = a.at(pointer);
    JsonNode y = b.at(pointer);
    if (x.isMissingNode() || y.isMissingNode()) {
      return x.isMissingNode() == y.isMissingNode();
    }
    return normalizeNumbers(x.deepCopy()).equals(normalizeNumbers(y.deepCopy()));
  }

  private static boolean scalarEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isNumber() || b.isNumber()) {
      return a.asText().equals(b.asText()); // "8080" vs 8080 (int-or-string)
    }
    return a.equals(b);
  }
}
