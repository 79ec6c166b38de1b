package dev.paved.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.desired.Labels;
import dev.paved.policy.SecretNames;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masks secret values in manifests before they are diffed or printed: every value of a
 * Secret's {@code data}/{@code stringData}, and literal values of secret-looking variables.
 * A masked value is {@code <redacted:xxxxxxxx>}, a keyed hash with a key drawn per process,
 * so equal values mask equally within one report (a reviewer sees that a secret changed)
 * but nothing can be guessed across reports.
 */
public final class Redactor {

  private final byte[] key;

  public Redactor() {
    key = new byte[32];
    new SecureRandom().nextBytes(key);
  }

  /**
   * A copy of {@code manifest} with secrets masked, the per-commit annotations removed, and
   * (for live objects) the apiserver's bookkeeping removed: managed fields, resource version,
   * uid, timestamps and status.
   */
  public ObjectNode clean(ObjectNode manifest) {
    ObjectNode copy = manifest.deepCopy();
    copy.remove("status");
    if (copy.get("metadata") instanceof ObjectNode m) {
      for (String f : new String[] {"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"}) {
        m.remove(f);
      }
    }
    JsonNode ann = copy.path("metadata").path("annotations");
    if (ann instanceof ObjectNode a) {
      a.remove(Labels.SOURCE_COMMIT);
      a.remove(Labels.APPLIED_HASH);
      if (a.isEmpty()) {
        ((ObjectNode) copy.get("metadata")).remove("annotations");
      }
    }
    if ("Secret".equals(copy.path("kind").asText())) {
      maskValues(copy.get("data"));
      maskValues(copy.get("stringData"));
    }
    maskEnv(copy);
    return copy;
  }

  private void maskValues(JsonNode map) {
    if (map instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(o.textNode(mask(e.getValue().asText())));
      }
    }
  }

  private void maskEnv(JsonNode node) {
    if (node.isObject()) {
      if (node.has("name") && node.has("value") && node.get("value").isTextual()
          && SecretNames.looksSecret(node.get("name").asText()) && !node.get("value").asText().isEmpty()) {
        ((ObjectNode) node).put("value", mask(node.get("value").asText()));
      }
      node.forEach(this::maskEnv);
    } else if (node.isArray()) {
      node.forEach(this::maskEnv);
    }
  }

  String mask(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      return "<redacted:" + HexFormat.of().formatHex(h, 0, 4) + ">";
    } catch (GeneralSecurityException e) {
      return "<redacted>";
    }
  }
}
