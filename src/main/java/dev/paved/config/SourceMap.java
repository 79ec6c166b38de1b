package dev.paved.config;

import java.util.Map;
import java.util.Optional;

/**
 * Where each node of a parsed YAML document came from, by JSON pointer ({@code /image/tag}):
 * the value's position, the key's position (for "unknown field" errors), and the original
 * text of scalars (to suggest quoting {@code 1.10}).
 */
public record SourceMap(String file, Map<String, Location> values, Map<String, Location> keys,
    Map<String, String> scalarText) {

  public SourceMap {
    values = Map.copyOf(values);
    keys = Map.copyOf(keys);
    scalarText = Map.copyOf(scalarText);
  }

  /** Position of the value at {@code pointer}, or of its nearest located ancestor. */
  public Location value(String pointer) {
    String p = pointer;
    while (true) {
      Location l = values.get(p);
      if (l != null) {
        return l;
      }
      if (p.isEmpty()) {
        return Location.ofFile(file);
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  /** Position of the key naming {@code pointer}, falling back to its value's position. */
  public Location key(String pointer) {
    Location l = keys.get(pointer);
    return l != null ? l : value(pointer);
  }

  public Optional<String> text(String pointer) {
    return Optional.ofNullable(scalarText.get(pointer));
  }

  /** Escapes one JSON pointer token. */
  public static String token(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
