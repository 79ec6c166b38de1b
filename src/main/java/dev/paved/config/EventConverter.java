package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingEndEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceEndEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Builds the trees straight from SnakeYAML's parse events, without composing a node graph
 * first: the common case (no anchors or aliases, no problem SnakeYAML's composer would
 * report), with exactly the result {@link YamlReader}'s composer path gives for the composed graph. The
 * composer's own checks are made at the same events; where the composer would do more
 * (expand an alias, report an error or a limit), the reader gives up and the caller reads the
 * stream through the composer instead.
 */
final class EventConverter extends YamlReader.Document {

  /** The stream needs SnakeYAML's composer (thrown without a stack trace: it is a decision). */
  private static final class NeedsComposer extends RuntimeException {
    NeedsComposer() {
      super(null, null, false, false);
    }
  }

  private static final NeedsComposer NEEDS_COMPOSER = new NeedsComposer();

  private final Parser parser;
  private final YamlReader.Reader reader;

  private EventConverter(String file, Parser parser, YamlReader.Reader reader) {
    super(file);
    this.parser = parser;
    this.reader = reader;
  }

  /**
   * Reads every document of {@code text} into {@code docs} and {@code problems}, as the
   * composer path would; false (with the lists in any state) when the composer is needed.
   */
  static boolean read(String file, String text, YamlReader.Reader reader, List<YamlDocument> docs, List<Diagnostic> problems) {
    Parser parser = new ParserImpl(new StreamReader(new StringReader(text)), reader.options());
    try {
      parser.getEvent(); // stream start
      int index = 0;
      while (!parser.checkEvent(Event.ID.StreamEnd)) {
        parser.getEvent(); // document start
        EventConverter c = new EventConverter(file, parser, reader);
        JsonNode tree = c.convert(parser.getEvent(), "", 0, 0);
        parser.getEvent(); // document end
        problems.addAll(c.problems);
        if (c.problems.isEmpty() && !tree.isNull()) {
          docs.add(new YamlDocument(tree, c.positions.build(file), index));
        }
        index++;
      }
      return true;
    } catch (NeedsComposer | YAMLException e) {
      return false;
    }
  }

  /**
   * The composer's checks of a node event: no anchor (the composer would share the node), no
   * alias, no tag it refuses, nesting within its limit. Returns the node's explicit tag, or
   * null when it has none (or only the non-specific "!").
   */
  private Tag check(Event e, int depth) {
    if (!(e instanceof NodeEvent n) || n.getAnchor() != null || e instanceof AliasEvent || depth > YamlReader.MAX_DEPTH) {
      throw NEEDS_COMPOSER;
    }
    String tag = e instanceof ScalarEvent s ? s.getTag() : ((CollectionStartEvent) e).getTag();
    if (tag == null || tag.equals("!")) {
      return null;
    }
    Tag explicit = new Tag(tag);
    if (explicit.isCustomGlobal() && !reader.options().getTagInspector().isGlobalTagAllowed(explicit)) {
      throw NEEDS_COMPOSER;
    }
    return explicit;
  }

  /** The tag of a scalar: its explicit one, or what the resolver says for its text. */
  private Tag tag(ScalarEvent s, Tag explicit) {
    return explicit != null ? explicit
        : reader.resolver().resolve(NodeId.scalar, s.getValue(), s.getImplicit().canOmitTagInPlainScalar());
  }

  /** Converts the node starting with {@code e}, found at {@code pointer} under the key at {@code keyAt} (packed, or 0). */
  private JsonNode convert(Event e, String pointer, int depth, long keyAt) {
    Tag explicit = check(e, depth);
    if (tooLarge(depth)) {
      throw NEEDS_COMPOSER;
    }
    long at = pack(e.getStartMark());
    if (e instanceof ScalarEvent s) {
      positions.add(pointer, at, keyAt, s.getValue());
      return YamlReader.scalar(tag(s, explicit), s.getValue());
    }
    positions.add(pointer, at, keyAt, null);
    if (e instanceof SequenceStartEvent) {
      ArrayNode arr = CompactNodeFactory.INSTANCE.arrayNode();
      int i = 0;
      for (Event item = parser.getEvent(); !(item instanceof SequenceEndEvent); item = parser.getEvent()) {
        arr.add(convert(item, pointer + "/" + i++, depth + 1, 0));
      }
      return arr;
    }
    ObjectNode obj = CompactNodeFactory.INSTANCE.objectNode();
    for (Event key = parser.getEvent(); !(key instanceof MappingEndEvent); key = parser.getEvent()) {
      Tag keyTag = check(key, depth + 1);
      if (!(key instanceof ScalarEvent k)) {
        nonScalarKey(key.getStartMark());
        skip(key, depth + 1);
        skip(parser.getEvent(), depth + 1);
        continue;
      }
      String name = k.getValue();
      String child = pointer + "/" + SourceMap.token(name);
      // The resolver is asked only where its answer matters (it has no side effects).
      boolean mergeKey = name.equals("<<") && tag(k, keyTag).equals(Tag.MERGE);
      if (acceptKey(obj, name, mergeKey, k.getStartMark(), child)) {
        obj.set(name, convert(parser.getEvent(), child, depth + 1, pack(k.getStartMark())));
      } else {
        skip(parser.getEvent(), depth + 1);
      }
    }
    return obj;
  }

  /** Passes over a node the converter does not look at, making the composer's checks. */
  private void skip(Event e, int depth) {
    check(e, depth);
    if (e instanceof CollectionStartEvent) {
      for (Event item = parser.getEvent(); !(item instanceof CollectionEndEvent); item = parser.getEvent()) {
        skip(item, depth + 1);
      }
    }
  }

  private static long pack(Mark m) {
    return SourceMap.pack(m.getLine() + 1, m.getColumn() + 1);
  }
}
