package dev.paved.config;

import java.util.Comparator;

/**
 * A position in a config repo file: 1-based line and column. A problem with a whole file
 * (its name, its size) is reported at its start, 1:1, so every message has the same shape.
 */
public record Location(String file, int line, int column) implements Comparable<Location> {

  private static final Comparator<Location> ORDER = Comparator.comparing(Location::file)
      .thenComparingInt(Location::line).thenComparingInt(Location::column);

  public static Location ofFile(String file) {
    return new Location(file, 1, 1);
  }

  @Override
  public int compareTo(Location o) {
    return ORDER.compare(this, o);
  }

  /** {@code file:line:column}, or {@code file} when no position is known. */
  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column : file;
  }
}
