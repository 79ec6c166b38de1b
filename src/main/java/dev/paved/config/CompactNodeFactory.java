package dev.paved.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Jackson's node factory with maps made for small objects: most maps of a config file or a
 * rendered manifest hold one to three fields, and an evaluation keeps over a million of them
 * (Jackson's default LinkedHashMap starts with room for 16 and spends a node per field). Same
 * nodes, same field order ({@link FieldMap}).
 */
public final class CompactNodeFactory extends JsonNodeFactory {

  private static final long serialVersionUID = 1L;

  public static final CompactNodeFactory INSTANCE = new CompactNodeFactory();

  private CompactNodeFactory() {}

  @Override
  public ObjectNode objectNode() {
    return new ObjectNode(this, new FieldMap<>());
  }

  /** An object node with room for {@code fields} fields (e.g. a map of labels copied whole). */
  public ObjectNode objectNode(int fields) {
    return new ObjectNode(this, new FieldMap<>(fields));
  }
}
