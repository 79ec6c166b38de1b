package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;

/** One parsed YAML document as a JSON tree, with where each node came from. */
public record YamlDocument(JsonNode tree, SourceMap sourceMap, int index) {

  /** A defensive copy: the tree is shared and must stay unchanged. */
  public JsonNode copy() {
    return tree.deepCopy();
  }

  public Location location() {
    return sourceMap.value("");
  }
}
