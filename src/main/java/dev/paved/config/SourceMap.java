package dev.paved.config;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Where each node of a parsed YAML document came from, by JSON pointer ({@code /image/tag}):
 * the value's position, the key's position (for "unknown field" errors), and the original
 * text of scalars (to suggest quoting {@code 1.10}).
 *
 * <p>Held compactly (tens of thousands of documents stay in memory for a whole evaluation):
 * sorted pointers and packed line/column pairs; a {@link Location} is made when asked for.
 */
public final class SourceMap {

  private final String file;
  /** Pointers of every node, sorted. */
  private final String[] pointers;
  /** Per pointer: the value's line and column ({@code line << 32 | column}), 1-based. */
  private final long[] values;
  /** Per pointer: the key's line and column, or 0 when the node has no key. */
  private final long[] keys;
  /** Per pointer: the scalar's text as written, or null. */
  private final String[] text;
  /** Locations already handed out, shared between callers (records: equal by value). */
  private final Location[] valueLocations;

  public SourceMap(String file, Map<String, Location> values, Map<String, Location> keys,
      Map<String, String> scalarText) {
    this(file, builder(values, keys, scalarText));
  }

  private static Builder builder(Map<String, Location> values, Map<String, Location> keys,
      Map<String, String> scalarText) {
    Builder b = new Builder();
    java.util.Set<String> all = new java.util.TreeSet<>(values.keySet());
    all.addAll(keys.keySet());
    all.addAll(scalarText.keySet());
    for (String p : all) {
      b.add(p, values.get(p), keys.get(p), scalarText.get(p));
    }
    return b;
  }

  private SourceMap(String file, Builder b) {
    this.file = file;
    int n = b.size;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> b.pointers[x].compareTo(b.pointers[y]));
    String[] ps = new String[n];
    long[] vs = new long[n];
    long[] ks = new long[n];
    String[] ts = new String[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      int j = order[i];
      if (m > 0 && ps[m - 1].equals(b.pointers[j])) {
        // the same pointer twice: the first value position, the last key and text win
        if (vs[m - 1] == 0) {
          vs[m - 1] = b.values[j];
        }
        ks[m - 1] = b.keys[j] != 0 ? b.keys[j] : ks[m - 1];
        ts[m - 1] = b.text[j] != null ? b.text[j] : ts[m - 1];
        continue;
      }
      ps[m] = b.pointers[j];
      vs[m] = b.values[j];
      ks[m] = b.keys[j];
      ts[m] = b.text[j];
      m++;
    }
    this.pointers = m == n ? ps : Arrays.copyOf(ps, m);
    this.values = m == n ? vs : Arrays.copyOf(vs, m);
    this.keys = m == n ? ks : Arrays.copyOf(ks, m);
    this.text = m == n ? ts : Arrays.copyOf(ts, m);
    this.valueLocations = new Location[m];
  }

  /** Collects the positions of one document, in any order. */
  static final class Builder {
    private String[] pointers = new String[32];
    private long[] values = new long[32];
    private long[] keys = new long[32];
    private String[] text = new String[32];
    private int size;

    /** Adds a node; {@code value} may be null only when a key or text is given. */
    void add(String pointer, Location value, Location key, String scalarText) {
      add(pointer, pack(value), pack(key), scalarText);
    }

    /** Adds a node with packed positions ({@link #pack(int, int)}; 0 for none). */
    void add(String pointer, long value, long key, String scalarText) {
      if (size == pointers.length) {
        int cap = size * 2;
        pointers = Arrays.copyOf(pointers, cap);
        values = Arrays.copyOf(values, cap);
        keys = Arrays.copyOf(keys, cap);
        text = Arrays.copyOf(text, cap);
      }
      pointers[size] = pointer;
      values[size] = value;
      keys[size] = key;
      text[size] = scalarText;
      size++;
    }

    /** The line of the key of the first node added at {@code pointer}, or 0. */
    int keyLine(String pointer) {
      for (int i = 0; i < size; i++) {
        if (pointers[i].equals(pointer)) {
          return (int) (keys[i] >>> 32);
        }
      }
      return 0;
    }

    SourceMap build(String file) {
      return new SourceMap(file, this);
    }
  }

  private static long pack(Location l) {
    return l == null ? 0 : pack(l.line(), l.column());
  }

  /** A 1-based line and column as one value, as held here. */
  static long pack(int line, int column) {
    return (long) line << 32 | (column & 0xffffffffL);
  }

  private Location unpack(long packed) {
    return new Location(file, (int) (packed >>> 32), (int) packed);
  }

  public String file() {
    return file;
  }

  private int index(String pointer) {
    return Arrays.binarySearch(pointers, pointer);
  }

  /** The position of exactly the value at {@code pointer}, or null (no ancestor fallback). */
  public Location valueAt(String pointer) {
    int i = index(pointer);
    return i >= 0 && values[i] != 0 ? location(i) : null;
  }

  private Location location(int i) {
    Location l = valueLocations[i];
    if (l == null) {
      l = unpack(values[i]);
      valueLocations[i] = l;
    }
    return l;
  }

  /** Position of the value at {@code pointer}, or of its nearest located ancestor. */
  public Location value(String pointer) {
    String p = pointer;
    while (true) {
      Location l = valueAt(p);
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
    int i = index(pointer);
    return i >= 0 && keys[i] != 0 ? unpack(keys[i]) : value(pointer);
  }

  /** Every value position by pointer, sorted (a copy). */
  public java.util.NavigableMap<String, Location> values() {
    java.util.TreeMap<String, Location> out = new java.util.TreeMap<>();
    for (int i = 0; i < pointers.length; i++) {
      if (values[i] != 0) {
        out.put(pointers[i], location(i));
      }
    }
    return java.util.Collections.unmodifiableNavigableMap(out);
  }

  /** Positions of {@code pointer} and of every node below it, by pointer. */
  public Map<String, Location> valuesUnder(String pointer) {
    Map<String, Location> out = new java.util.LinkedHashMap<>();
    forEachUnder(pointer, out::put);
    return out;
  }

  /** Calls {@code action} with the position of {@code pointer} and of every node below it, in pointer order. */
  public void forEachUnder(String pointer, java.util.function.BiConsumer<String, Location> action) {
    // Pointers below p are p + "/..."; '/' sorts just before '0', so they all lie in [p, p + "0").
    int from = insertionPoint(pointer);
    String end = pointer + "0";
    for (int i = from; i < pointers.length && pointers[i].compareTo(end) < 0; i++) {
      if (values[i] != 0 && isUnder(pointers[i], pointer)) {
        action.accept(pointers[i], location(i));
      }
    }
  }

  private int insertionPoint(String pointer) {
    int i = index(pointer);
    return i >= 0 ? i : -i - 1;
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
    int i = index(pointer);
    return Optional.ofNullable(i >= 0 ? text[i] : null);
  }

  /** Escapes one JSON pointer token. */
  public static String token(String name) {
    return name.indexOf('~') < 0 && name.indexOf('/') < 0 ? name : name.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceMap m && file.equals(m.file) && Arrays.equals(pointers, m.pointers)
        && Arrays.equals(values, m.values) && Arrays.equals(keys, m.keys) && Arrays.equals(text, m.text);
  }

  @Override
  public int hashCode() {
    return file.hashCode() * 31 + Arrays.hashCode(pointers);
  }

  @Override
  public String toString() {
    return "SourceMap[" + file + ", " + pointers.length + " nodes]";
  }
}
