package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a parsed document against its kind's JSON Schema (draft 2020-12, from
 * {@code schema/} on the classpath) and turns the validator's messages into Paved diagnostics
 * at the offending node, in plain sentences. The schemas are the single statement of what a
 * valid file is; nothing here re-checks what they say.
 */
public final class SchemaValidator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE = "classpath:schema/";
  private static final SchemaValidator INSTANCE = new SchemaValidator();

  private final Map<Kind, JsonSchema> schemas = new EnumMap<>(Kind.class);
  private final Map<String, JsonNode> rawSchemas = new HashMap<>();

  private SchemaValidator() {
    // "x-error" holds the plain sentence Paved prints when a oneOf/anyOf fails; "x-moved" what
    // to say of a field that moved elsewhere.
    JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
        .keyword(new NonValidationKeyword("x-error")).keyword(new NonValidationKeyword("x-moved")).build();
    JsonSchemaFactory factory = JsonSchemaFactory.builder(
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)).metaSchema(meta).build();
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .pathType(PathType.JSON_POINTER)
        .formatAssertionsEnabled(true)
        .build();
    for (Kind kind : Kind.values()) {
      JsonSchema schema = factory.getSchema(SchemaLocation.of(BASE + kind.schemaFile()), config);
      schema.initializeValidators();
      schemas.put(kind, schema);
    }
    for (String f : List.of("common.schema.json", "service.schema.json", "override.schema.json",
        "environment.schema.json", "cluster.schema.json", "policy.schema.json", "daemon.schema.json",
        "team.schema.json", "platform.schema.json", "tokens.schema.json")) {
      rawSchemas.put(f, load(f));
    }
  }

  public static SchemaValidator instance() {
    return INSTANCE;
  }

  private static JsonNode load(String file) {
    try (InputStream in = SchemaValidator.class.getClassLoader().getResourceAsStream("schema/" + file)) {
      if (in == null) {
        throw new IllegalStateException("schema/" + file + " missing from the classpath");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Validates {@code doc} as a {@code kind}; returns one diagnostic per problem, sorted. */
  public List<Diagnostic> validate(Kind kind, YamlDocument doc) {
    return validate(kind, doc.tree(), doc.sourceMap());
  }

  List<Diagnostic> validate(Kind kind, JsonNode tree, SourceMap map) {
    Set<ValidationMessage> messages = schemas.get(kind).validate(tree);
    List<Diagnostic> out = new ArrayList<>();
    Set<String> explained = new TreeSet<>();
    // A oneOf with an x-error explains its branches' failures: report it once, drop the rest.
    for (ValidationMessage m : messages) {
      if (m.getType().equals("oneOf") || m.getType().equals("anyOf")) {
        JsonNode parent = parentSchema(m);
        if (parent != null && parent.has("x-error")) {
          explained.add(m.getInstanceLocation().toString());
          out.add(Diagnostic.error(map.value(m.getInstanceLocation().toString()), "schema",
              parent.get("x-error").asText()));
        }
      }
    }
    // A failed anyOf is reported through its branches' messages only (there is no "anyOf"
    // message): group them by the anyOf they belong to and explain each group once too.
    Map<String, String> anyOfPointers = new HashMap<>();
    for (ValidationMessage m : messages) {
      java.util.regex.Matcher b = ANY_OF_BRANCH.matcher(m.getSchemaLocation().toString());
      if (!b.matches()) {
        continue;
      }
      JsonNode combinator = schemaAt(b.group(1));
      if (combinator != null && combinator.has("x-error")) {
        String pointer = m.getInstanceLocation().toString();
        anyOfPointers.merge(b.group(1), pointer, SchemaValidator::commonPointer);
      }
    }
    anyOfPointers.forEach((schemaPath, pointer) -> {
      explained.add(pointer);
      out.add(Diagnostic.error(map.value(pointer), "schema", schemaAt(schemaPath).get("x-error").asText()));
    });
    for (ValidationMessage m : messages) {
      String pointer = m.getInstanceLocation().toString();
      String type = m.getType();
      boolean branchOfExplained = explained.stream().anyMatch(p -> pointer.equals(p) || pointer.startsWith(p + "/"))
          && m.getEvaluationPath().toString().matches(".*/(oneOf|anyOf)/\\d+.*");
      if ((type.equals("oneOf") || type.equals("anyOf")) && explained.contains(pointer) || branchOfExplained) {
        continue;
      }
      out.add(translate(kind, m, pointer, map));
    }
    return out.stream().distinct().sorted().toList();
  }

  /**
   * A field the schema requires that a tree lacks: the JSON pointer the field would have, and
   * the plain sentence of the combinator it belongs to ("x-error", e.g. a probe needs one of
   * http, tcp or exec), or null.
   */
  record Missing(String pointer, String explanation) {}

  /**
   * The fields {@code tree} lacks that the schema of {@code kind} requires, as its
   * {@code required} keywords say (at any depth, in any branch), sorted.
   */
  List<Missing> missingRequired(Kind kind, JsonNode tree) {
    Set<Missing> out = new java.util.TreeSet<>(java.util.Comparator.comparing(Missing::pointer));
    for (ValidationMessage m : schemas.get(kind).validate(tree)) {
      if (!m.getType().equals("required") || m.getProperty() == null) {
        continue;
      }
      String explanation = null;
      java.util.regex.Matcher b = BRANCH.matcher(m.getSchemaLocation().toString());
      if (b.matches()) {
        JsonNode combinator = schemaAt(b.group(1));
        explanation = combinator != null && combinator.has("x-error") ? combinator.get("x-error").asText() : null;
      }
      out.add(new Missing(m.getInstanceLocation().toString() + "/" + SourceMap.token(m.getProperty()), explanation));
    }
    return List.copyOf(out);
  }

  private static final java.util.regex.Pattern BRANCH =
      java.util.regex.Pattern.compile("(.*?)/(?:oneOf|anyOf)/\\d+(?:/.*)?");

  private Diagnostic translate(Kind kind, ValidationMessage m, String pointer, SourceMap map) {
    String field = describe(pointer);
    JsonNode parent = parentSchema(m);
    JsonNode instance = m.getInstanceNode();
    switch (m.getType()) {
      case "additionalProperties": {
        String prop = m.getProperty();
        Set<String> allowed = new TreeSet<>();
        if (parent != null && parent.has("properties")) {
          parent.get("properties").fieldNames().forEachRemaining(allowed::add);
        }
        String where = pointer.isEmpty() ? "" : " in " + field;
        // "x-moved": fields that used to be valid here, and where they went.
        if (parent != null && parent.path("x-moved").has(prop)) {
          return Diagnostic.error(map.key(pointer + "/" + SourceMap.token(prop)), "moved-field",
              parent.path("x-moved").get(prop).asText());
        }
        return Diagnostic.error(map.key(pointer + "/" + SourceMap.token(prop)), "unknown-field",
            "unknown field \"" + prop + "\"" + where + Suggestions.hint(prop, allowed)
                + (Suggestions.closest(prop, allowed).isPresent() ? ""
                    : "; expected one of: " + String.join(", ", allowed)));
      }
      case "required":
        return Diagnostic.error(map.value(pointer), "missing-field", "missing required field \""
            + m.getProperty() + "\"" + (pointer.isEmpty() ? "" : " in " + field)
            + "; add it (see schema/" + kind.schemaFile() + ")");
      case "type": {
        String expected = parent == null ? "another type" : typeNames(parent.get("type"));
        String found = typeName(instance);
        String hint = "";
        if (expected.contains("string") && instance != null && (instance.isNumber() || instance.isBoolean())) {
          hint = "; quote it to make it a string, e.g. \"" + map.text(pointer).orElse(instance.asText()) + "\"";
        }
        return Diagnostic.error(map.value(pointer), "wrong-type",
            field + " must be " + expected + ", not " + found + hint);
      }
      case "enum": {
        List<String> options = new ArrayList<>();
        if (parent != null && parent.has("enum")) {
          parent.get("enum").forEach(n -> options.add(n.asText()));
        }
        return Diagnostic.error(map.value(pointer), "invalid-value", field + " is \"" + text(instance)
            + "\"; expected one of: " + String.join(", ", options)
            + Suggestions.hint(text(instance), options));
      }
      case "const":
        return Diagnostic.error(map.value(pointer), "invalid-value", field + " must be "
            + (parent != null && parent.has("const") ? parent.get("const").toString() : "a fixed value")
            + ", not \"" + text(instance) + "\""
            + (pointer.equals("/kind") ? " (files under this path are of kind " + kind.kindName() + ")" : ""));
      case "pattern":
      case "maxLength":
      case "minLength":
      case "format": {
        String expectation = parent != null && parent.has("description")
            ? parent.get("description").asText() : m.getMessage().replaceFirst("^\\S+: ", "");
        return Diagnostic.error(map.value(pointer), "invalid-value",
            field + " \"" + text(instance) + "\" is not valid: " + lowerFirst(expectation));
      }
      default:
        return Diagnostic.error(map.value(pointer), "invalid-value",
            field + ": " + m.getMessage().replaceFirst("^\\S+: ", ""));
    }
  }

  private static final java.util.regex.Pattern ANY_OF_BRANCH =
      java.util.regex.Pattern.compile("(.*?)/anyOf/\\d+(?:/.*)?");

  /** The schema node at {@code location} ({@code classpath:schema/<file>#<pointer>}), or null. */
  private JsonNode schemaAt(String location) {
    int hash = location.indexOf('#');
    String file = hash < 0 ? location : location.substring(0, hash);
    JsonNode root = rawSchemas.get(file.substring(file.lastIndexOf('/') + 1));
    if (root == null) {
      return null;
    }
    JsonNode node = root.at(hash < 0 ? "" : location.substring(hash + 1));
    return node.isMissingNode() ? null : node;
  }

  /** The longest JSON pointer both {@code a} and {@code b} start with. */
  private static String commonPointer(String a, String b) {
    String[] x = a.split("/", -1);
    String[] y = b.split("/", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) {
      out.append('/').append(x[i]);
    }
    return out.toString();
  }

  /** The schema object holding the keyword that failed (for its properties, enum, type...). */
  private JsonNode parentSchema(ValidationMessage m) {
    String location = m.getSchemaLocation().toString();
    int hash = location.indexOf('#');
    String file = (hash < 0 ? location : location.substring(0, hash));
    file = file.substring(file.lastIndexOf('/') + 1);
    JsonNode root = rawSchemas.get(file);
    if (root == null) {
      return null;
    }
    String fragment = hash < 0 ? "" : location.substring(hash + 1);
    int cut = fragment.lastIndexOf('/');
    String parentPointer = cut <= 0 ? "" : fragment.substring(0, cut);
    JsonNode node = root.at(parentPointer);
    return node.isMissingNode() ? null : node;
  }

  /** A readable name for a JSON pointer: {@code /ports/0/port} → {@code "ports[0].port"}. */
  static String describe(String pointer) {
    if (pointer.isEmpty()) {
      return "the document";
    }
    StringBuilder b = new StringBuilder();
    for (String t : pointer.substring(1).split("/", -1)) {
      String token = t.replace("~1", "/").replace("~0", "~");
      if (token.matches("\\d+")) {
        b.append('[').append(token).append(']');
      } else {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(token);
      }
    }
    return "\"" + b + "\"";
  }

  private static String typeNames(JsonNode type) {
    if (type == null) {
      return "another type";
    }
    if (type.isArray()) {
      List<String> names = new ArrayList<>();
      for (Iterator<JsonNode> it = type.elements(); it.hasNext(); ) {
        names.add(article(it.next().asText()));
      }
      return String.join(" or ", names);
    }
    return article(type.asText());
  }

  private static String article(String t) {
    return switch (t) {
      case "object" -> "a map";
      case "array" -> "a list";
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      case "null" -> "null";
      default -> "a " + t;
    };
  }

  private static String typeName(JsonNode n) {
    if (n == null || n.isNull()) {
      return "empty (null)";
    }
    if (n.isObject()) {
      return "a map";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isIntegralNumber()) {
      return "the number " + n.asText();
    }
    if (n.isNumber()) {
      return "the number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    return "the text \"" + n.asText() + "\"";
  }

  private static String text(JsonNode n) {
    return n == null ? "" : n.isValueNode() ? n.asText() : n.toString();
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
