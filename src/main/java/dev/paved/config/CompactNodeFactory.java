package dev.paved.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;

/**
 * Jackson's node factory with maps sized for small objects: most maps of a config file or a
 * rendered manifest hold one to three fields, and an evaluation keeps over a million of them
 * (Jackson's default map starts with room for 16). Same nodes, same field order.
 */
public final class CompactNodeFactory extends JsonNodeFactory {

  private static final long serialVersionUID = 1L;

  public static final CompactNodeFactory INSTANCE = new CompactNodeFactory();

  private CompactNodeFactory() {}

  @Override
  public ObjectNode objectNode() {
    return new ObjectNode(this, new LinkedHashMap<>(4));
  }
}
