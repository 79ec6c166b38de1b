package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Paved applied to a target, and from which commit: the basis of pruning. Serialized one
 * object per line as {@code apiVersion|kind|namespace|name} (empty namespace when cluster-scoped).
 */
public record Inventory(String environment, String commit, Set<ObjectKey> objects) {

  public Inventory {
    objects = java.util.Collections.unmodifiableSet(new TreeSet<>(objects));
  }

  public String encode() {
    return encode(objects);
  }

  /** {@code objects} one per line, in the order given. */
  public static String encode(java.util.Collection<ObjectKey> objects) {
    StringBuilder b = new StringBuilder();
    for (ObjectKey k : objects) {
      b.append(k.apiVersion()).append('|').append(k.kind()).append('|')
          .append(k.namespace() == null ? "" : k.namespace()).append('|').append(k.name()).append('\n');
    }
    return b.toString();
  }

  public static Set<ObjectKey> decode(String text) {
    List<ObjectKey> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] p = line.split("\\|", -1);
      if (p.length != 4) {
        throw new IllegalArgumentException("malformed inventory line: " + line);
      }
      out.add(new ObjectKey(p[0], p[1], p[2].isEmpty() ? null : p[2], p[3]));
    }
    return new TreeSet<>(out);
  }
}
