package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses YAML into JSON trees with source positions, safely: no object construction, a cap on
 * aliases, nesting depth and expanded size (alias bombs), duplicate keys refused, YAML 1.2 core
 * schema for plain scalars (only {@code true}/{@code false} are booleans; {@code yes}, {@code no},
 * {@code on}, {@code 1_000}, {@code 1:20} stay strings).
 *
 * <p>Two ways build the trees, with one set of rules ({@link Document}: positions, keys, limits,
 * scalar typing): {@link EventConverter} straight from SnakeYAML's parse events, for the common
 * stream (no anchor, no alias, nothing SnakeYAML's composer would refuse), and the composer path
 * below for the rest. The composer path stays because SnakeYAML's composer is the reference for
 * aliases, their limits and its errors (doing that from events would be writing a second
 * composer). The event path stays while it pays. Measured 2026-12-02 (issue 16 asks for one
 * builder): every file of the core benchmark's 10,000-service repo (40,019 files) parsed on one
 * thread in a fresh JVM with {@code scripts/jvm/cli.options}, process CPU of the cold pass, three
 * alternating pairs of JVMs at a load of 13–16: from events 1.87–2.49 s, through the composer
 * 2.36–3.25 s (about 0.55 s, 20 %, more; the warm second pass 1.24–1.69 s against 1.40–2.13 s).
 * That is about 5 % of a cold {@code paved validate}'s 10.6 CPU s, a tenth of the 2.5 s wall
 * target on two cores: kept. Remeasure with {@code read(file, bytes, false)} before removing it
 * (the harness: {@code YamlReader.read} over {@code DirectorySource.read} of
 * {@code target/bench/validate-10000}). {@code YamlReaderTest} checks that both
 * ways give the same trees, positions and diagnostics.
 */
public final class YamlReader {

  static final int MAX_ALIASES = 25;
  static final int MAX_DEPTH = 64;
  static final int MAX_NODES = 250_000;
  static final Set<String> BOOLEANS = Set.of("true", "false", "True", "False", "TRUE", "FALSE");

  /**
   * What each thread reads with: a Yaml instance is costly to build (its resolver compiles
   * patterns) and not thread-safe. The resolver and options are the Yaml's own, for the
   * event reader.
   */
  record Reader(Yaml yaml, CoreSchemaResolver resolver, LoaderOptions options) {}

  private static final ThreadLocal<Reader> READER = ThreadLocal.withInitial(() -> {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(4 * (int) dev.paved.source.ConfigTree.MAX_FILE_BYTES + 1024);
    options.setAllowRecursiveKeys(false);
    options.setProcessComments(false);
    CoreSchemaResolver resolver = new CoreSchemaResolver();
    Yaml yaml = new Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(options),
        new org.yaml.snakeyaml.representer.Representer(new org.yaml.snakeyaml.DumperOptions()),
        new org.yaml.snakeyaml.DumperOptions(), options, resolver);
    return new Reader(yaml, resolver, options);
  });

  private YamlReader() {}

  /** Parsed documents (empty documents skipped) and the problems found, if any. */
  public record Result(List<YamlDocument> documents, List<Diagnostic> diagnostics) {
    public Result {
      documents = List.copyOf(documents);
      diagnostics = List.copyOf(diagnostics);
    }

    public boolean ok() {
      return diagnostics.isEmpty();
    }
  }

  public static Result read(String file, byte[] bytes) {
    return read(file, bytes, true);
  }

  /**
   * Reads straight from parse events when the stream allows it ({@code fromEvents}), else, or
   * when that reader gives up, through SnakeYAML's composer. Tests compare the two.
   */
  static Result read(String file, byte[] bytes, boolean fromEvents) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return failure(Location.ofFile(file), "encoding", "file is not valid UTF-8 text; save it as UTF-8");
    }
    Reader reader = READER.get();
    List<YamlDocument> docs = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    if (fromEvents && EventConverter.read(file, text, reader, docs, problems)) {
      return new Result(docs, problems);
    }
    // Anchors, aliases or a problem SnakeYAML's composer reports: read the stream again through
    // the composer, whose errors and limits are the reference.
    docs.clear();
    problems.clear();
    Yaml yaml = reader.yaml();
    try {
      int index = 0;
      for (Node node : yaml.composeAll(new StringReader(text))) {
        Converter c = new Converter(file);
        JsonNode tree = c.convert(node, "", 0, null);
        problems.addAll(c.problems);
        if (c.problems.isEmpty() && !(tree.isNull())) {
          docs.add(new YamlDocument(tree, c.positions.build(file), index));
        }
        index++;
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : "malformed YAML";
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      problems.add(Diagnostic.error(at(file, mark), "yaml-syntax",
          "malformed YAML: " + problem.trim() + context.replace('\n', ' ')
              + "; check the indentation and quoting around here"));
    } catch (TooLarge e) {
      problems.add(Diagnostic.error(e.at, "yaml-too-large", e.getMessage()));
    } catch (YAMLException e) {
      String msg = e.getMessage() == null ? "malformed YAML" : e.getMessage();
      if (msg.contains("aliases")) {
        problems.add(Diagnostic.error(aliasPosition(yaml, file, text), "yaml-aliases",
            "too many YAML aliases (more than " + MAX_ALIASES
                + "); this looks like an alias bomb: write the values out instead"));
      } else {
        problems.add(Diagnostic.error(Location.ofFile(file), "yaml-syntax", "malformed YAML: " + msg));
      }
    } catch (StackOverflowError e) {
      problems.add(Diagnostic.error(Location.ofFile(file), "yaml-too-deep",
          "YAML is nested too deeply; Paved config is at most a few levels deep"));
    }
    return new Result(docs, problems);
  }

  /** Where the alias that went over the limit is (SnakeYAML's error does not say). */
  private static Location aliasPosition(Yaml yaml, String file, String text) {
    int aliases = 0;
    try {
      for (Event e : yaml.parse(new StringReader(text))) {
        if (e instanceof AliasEvent && ++aliases > MAX_ALIASES) {
          return at(file, e.getStartMark());
        }
      }
    } catch (YAMLException e) {
      // fall through: the file-level position is the best we have
    }
    return Location.ofFile(file);
  }

  private static Result failure(Location at, String code, String message) {
    return new Result(List.of(), List.of(Diagnostic.error(at, code, message)));
  }

  static Location at(String file, Mark mark) {
    return mark == null ? Location.ofFile(file) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private static final class TooLarge extends RuntimeException {
    final transient Location at;

    TooLarge(Location at, String message) {
      super(message, null, false, false);
      this.at = at;
    }
  }

  /**
   * The rules of a document's tree, whichever way it is read: positions, node and depth limits,
   * keys (plain strings only, no merge keys, no duplicates) and scalar typing.
   */
  abstract static class Document {
    final String file;
    final SourceMap.Builder positions = new SourceMap.Builder();
    final List<Diagnostic> problems = new ArrayList<>();
    int nodes;

    Document(String file) {
      this.file = file;
    }

    /** Whether one more node at {@code depth} is over the limits (an expanded alias bomb). */
    boolean tooLarge(int depth) {
      return ++nodes > MAX_NODES || depth > MAX_DEPTH;
    }

    TooLarge tooLarge(Mark at) {
      return new TooLarge(at(file, at), "YAML document expands to more than " + MAX_NODES + " nodes or "
          + MAX_DEPTH + " levels (aliases?); write it out plainly and keep files small");
    }

    void nonScalarKey(Mark at) {
      problems.add(Diagnostic.error(at(file, at), "yaml-key", "a key must be a plain string, not a list or a map"));
    }

    /**
     * Whether the key {@code name} (at {@code keyAt}; {@code mergeKey}: a {@code <<} the
     * resolver calls a merge key) may be set in {@code obj}, whose child it names at
     * {@code child}; if not, the problem is recorded.
     */
    boolean acceptKey(ObjectNode obj, String name, boolean mergeKey, Mark keyAt, String child) {
      if (mergeKey) {
        problems.add(Diagnostic.error(at(file, keyAt), "yaml-merge-key",
            "YAML merge keys (<<) are not supported; write the fields out"));
        return false;
      }
      if (obj.has(name)) {
        problems.add(Diagnostic.error(at(file, keyAt), "duplicate-key", "duplicate key \"" + name
            + "\" (first set at line " + positions.keyLine(child) + "); remove one of them"));
        return false;
      }
      return true;
    }
  }

  /** Converts a node graph composed by SnakeYAML (which expands aliases by sharing nodes). */
  private static final class Converter extends Document {

    Converter(String file) {
      super(file);
    }

    /** Converts {@code node}, found at {@code pointer} under the key at {@code keyAt} (or null). */
    JsonNode convert(Node node, String pointer, int depth, Location keyAt) {
      if (tooLarge(depth)) {
        throw tooLarge(node.getStartMark());
      }
      if (node instanceof MappingNode m) {
        positions.add(pointer, at(file, node.getStartMark()), keyAt, null);
        ObjectNode obj = CompactNodeFactory.INSTANCE.objectNode();
        for (NodeTuple t : m.getValue()) {
          if (!(t.getKeyNode() instanceof ScalarNode k)) {
            nonScalarKey(t.getKeyNode().getStartMark());
            continue;
          }
          String name = k.getValue();
          Location childKeyAt = at(file, k.getStartMark());
          String child = pointer + "/" + SourceMap.token(name);
          boolean mergeKey = name.equals("<<") && k.getTag().equals(Tag.MERGE);
          if (acceptKey(obj, name, mergeKey, k.getStartMark(), child)) {
            obj.set(name, convert(t.getValueNode(), child, depth + 1, childKeyAt));
          }
        }
        return obj;
      }
      if (node instanceof SequenceNode s) {
        positions.add(pointer, at(file, node.getStartMark()), keyAt, null);
        ArrayNode arr = CompactNodeFactory.INSTANCE.arrayNode();
        int i = 0;
        for (Node item : s.getValue()) {
          arr.add(convert(item, pointer + "/" + i++, depth + 1, null));
        }
        return arr;
      }
      ScalarNode sc = (ScalarNode) node;
      positions.add(pointer, at(file, node.getStartMark()), keyAt, sc.getValue());
      return scalar(sc.getTag(), sc.getValue());
    }
  }

  /** A scalar as a JSON value, by its tag (explicit or resolved). */
  static JsonNode scalar(Tag tag, String v) {
    JsonNodeFactory f = CompactNodeFactory.INSTANCE;
    if (tag.equals(Tag.NULL)) {
      return f.nullNode();
    }
    if (tag.equals(Tag.BOOL)) {
      return BOOLEANS.contains(v) ? f.booleanNode(Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT)))
          : f.textNode(v);
    }
    if (tag.equals(Tag.INT)) {
      try {
        BigInteger big = v.startsWith("0o") ? new BigInteger(v.substring(2), 8)
            : v.startsWith("0x") ? new BigInteger(v.substring(2), 16) : new BigInteger(v);
        return big.bitLength() < 64 ? f.numberNode(big.longValue()) : f.numberNode(big);
      } catch (NumberFormatException e) {
        return f.textNode(v);
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      try {
        double d = Double.parseDouble(v);
        return Double.isFinite(d) ? f.numberNode(d) : f.textNode(v);
      } catch (NumberFormatException e) {
        return f.textNode(v);
      }
    }
    return f.textNode(v);
  }
}
