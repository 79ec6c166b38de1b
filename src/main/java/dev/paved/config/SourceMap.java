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
    values = java.util.Collections.unmodifiableNavigableMap(new java.util.TreeMap<>(values));
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

  /** Positions of {@code pointer} and of every node below it, by pointer. */
  public Map<String, Location> valuesUnder(String pointer) {
    Map<String, Location> out = new java.util.LinkedHashMap<>();
    under((java.util.NavigableMap<String, Location>) values, pointer).forEach((k, v) -> {
      if (isUnder(k, pointer)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Calls {@code action} with the position of {@code pointer} and of every node below it. */
  public void forEachUnder(String pointer, java.util.function.BiConsumer<String, Location> action) {
    for (Map.Entry<String, Location> e : under((java.util.NavigableMap<String, Location>) values, pointer).entrySet()) {
      if (isUnder(e.getKey(), pointer)) {
        action.accept(e.getKey(), e.getValue());
      }
    }
  }

  /** A live view of the entries of a pointer-keyed sorted map at or below {@code pointer}. */
  public static <V> java.util.NavigableMap<String, V> under(java.util.NavigableMap<String, V> map, String pointer) {
    // Keys below p are p + "/..."; '/' sorts just before '0', so they all lie in [p, p + "0").
    // Keys such as p + "-x" also lie there: callers skip them with isUnder().
    return map.subMap(pointer, true, pointer + "0", false);
  }

  /** Whether {@code key} is {@code pointer} or a pointer below it. */
  public static boolean isUnder(String key, String pointer) {
    return key.length() == pointer.length() ? key.equals(pointer)
        : key.startsWith(pointer) && key.charAt(pointer.length()) == '/';
  }

  public Optional<String> text(String pointer) {
    return Optional.ofNullable(scalarText.get(pointer));
  }

  /** Escapes one JSON pointer token. */
  public static String token(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
