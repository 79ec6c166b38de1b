package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who changed a drifted field: the field managers that own it in the live object's {@code
 * managedFields}, read through the managed-fields set notation ({@code f:name}, list keys
 * {@code k:{...}}, {@code v:...}, {@code i:n}). Pure.
 */
final class DriftAttribution {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DriftAttribution() {}

  /**
   * The field managers other than {@code self} that own one of {@code pointers} (or a field
   * below one) in {@code live}'s managedFields; when none does (e.g. a field was removed, which
   * leaves no owner), the non-{@code self} manager of the most recent {@code Update} (status
   * writers excepted). Empty when unknown: a manager whose change only removed fields owns
   * nothing, and the apiserver drops it from managedFields.
   */
  static List<String> managers(JsonNode live, List<String> pointers, String self) {
    Set<String> out = new LinkedHashSet<>();
    String latestTime = "";
    String latest = null;
    for (JsonNode entry : live.path("metadata").path("managedFields")) {
      String manager = entry.path("manager").asText();
      if (manager.isEmpty() || manager.equals(self)) {
        continue;
      }
      JsonNode fields = entry.path("fieldsV1");
      if (pointers.stream().anyMatch(p -> owns(fields, live, p))) {
        out.add(manager);
      }
      String time = entry.path("time").asText();
      if ("Update".equals(entry.path("operation").asText()) && !"status".equals(entry.path("subresource").asText())
          && time.compareTo(latestTime) >= 0) {
        latestTime = time;
        latest = manager;
      }
    }
    if (out.isEmpty() && latest != null) {
      out.add(latest);
    }
    return List.copyOf(out);
  }

  /** Whether the managed-fields set {@code fields} holds the field at {@code pointer} or one below it. */
  static boolean owns(JsonNode fields, JsonNode live, String pointer) {
    if (pointer.equals("/") || pointer.isEmpty() || !fields.isObject()) {
      return false;
    }
    JsonNode f = fields;
    JsonNode l = live;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (f == null || !f.isObject()) {
        return false;
      }
      if (f.isEmpty() && f != fields) {
        return true; // owns the whole value above this point
      }
      if (l != null && l.isArray()) {
        int index;
        try {
          index = Integer.parseInt(token);
        } catch (NumberFormatException e) {
          return false;
        }
        JsonNode element = l.get(index);
        String k = listKey(f, element, index);
        if (k == null) {
          return false;
        }
        f = f.get(k);
        l = element;
      } else {
        f = f.get("f:" + token);
        l = l == null ? null : l.get(token);
      }
    }
    return f != null;
  }

  /** The managed-fields key of a list element: {@code k:{...}}, {@code v:...} or {@code i:n}. */
  private static String listKey(JsonNode f, JsonNode element, int index) {
    for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      try {
        if (name.startsWith("k:") && element != null && element.isObject()) {
          JsonNode k = JSON.readTree(name.substring(2));
          boolean all = true;
          for (Iterator<Map.Entry<String, JsonNode>> e = k.fields(); e.hasNext(); ) {
            Map.Entry<String, JsonNode> kv = e.next();
            JsonNode v = element.get(kv.getKey());
            all &= v != null && v.asText().equals(kv.getValue().asText());
          }
          if (all) {
            return name;
          }
        } else if (name.startsWith("v:") && element != null) {
          JsonNode v = JSON.readTree(name.substring(2));
          if (v.equals(element) || (v.isValueNode() && v.asText().equals(element.asText()))) {
            return name;
          }
        } else if (name.equals("i:" + index)) {
          return name;
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // not a key this element can match
      }
    }
    return null;
  }
}
