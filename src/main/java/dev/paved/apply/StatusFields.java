package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Reading a live object's status: conditions, counts, messages as sentences. Pure. */
final class StatusFields {

  private StatusFields() {}

  static boolean hasStatus(JsonNode o) {
    JsonNode status = o.path("status");
    return status.isObject() && status.size() > 0;
  }

  /** The condition of {@code type} in {@code status.conditions}, or a missing node. */
  static JsonNode condition(JsonNode status, String type) {
    return find(stream(status.path("conditions")).toList(), type);
  }

  static JsonNode find(List<JsonNode> conditions, String type) {
    for (JsonNode c : conditions) {
      if (type.equals(text(c, "type"))) {
        return c;
      }
    }
    return MissingNode.getInstance();
  }

  /** Condition status; tolerant of YAML 1.1 booleans (an unquoted True parses as a boolean). */
  static boolean isTrue(JsonNode condition) {
    return "true".equalsIgnoreCase(condition.path("status").asText(""));
  }

  static boolean isFalse(JsonNode condition) {
    return "false".equalsIgnoreCase(condition.path("status").asText(""));
  }

  /** {@code ": Reason: message."} from a condition, or {@code "."} when it says nothing. */
  static String because(JsonNode condition) {
    String s = join(text(condition, "reason"), text(condition, "message"));
    return s.isEmpty() ? "." : ": " + s;
  }

  static String join(String reason, String message) {
    if (reason.isEmpty()) {
      return message.isEmpty() ? "" : sentence(message);
    }
    return message.isEmpty() ? reason + "." : reason + ": " + sentence(message);
  }

  /** The text ending with a full stop (apiserver messages usually have none). */
  static String sentence(String text) {
    String t = text.strip();
    return t.endsWith(".") || t.endsWith("!") || t.endsWith("?") ? t : t + ".";
  }

  static List<String> loadBalancerAddresses(JsonNode o) {
    List<String> out = new ArrayList<>();
    for (JsonNode i : stream(o.path("status").path("loadBalancer").path("ingress")).toList()) {
      String address = !text(i, "hostname").isEmpty() ? text(i, "hostname") : text(i, "ip");
      if (!address.isEmpty()) {
        out.add(address);
      }
    }
    return out;
  }

  static Stream<JsonNode> stream(JsonNode array) {
    if (!array.isArray()) {
      return Stream.empty();
    }
    return StreamSupport.stream(array.spliterator(), false);
  }

  static List<String> strings(JsonNode array) {
    return stream(array).map(JsonNode::asText).toList();
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() ? v.asText() : "";
  }

  static String plural(long n, String word) {
    return n == 1 ? word : word + "s";
  }
}
