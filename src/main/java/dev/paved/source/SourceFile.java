package dev.paved.source;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of a config tree: its repo-relative path (always '/'-separated) and either its
 * bytes or the reason it could not be read (too large, symlink leaving the repo...).
 */
public record SourceFile(String path, byte[] bytes, String problem) {

  public SourceFile {
    Objects.requireNonNull(path, "path");
    if ((bytes == null) == (problem == null)) {
      throw new IllegalArgumentException("exactly one of bytes and problem must be set");
    }
  }

  public static SourceFile of(String path, byte[] bytes) {
    return new SourceFile(path, bytes.clone(), null);
  }

  public static SourceFile of(String path, String text) {
    return new SourceFile(path, text.getBytes(StandardCharsets.UTF_8), null);
  }

  public static SourceFile unreadable(String path, String problem) {
    return new SourceFile(path, null, problem);
  }

  /** The bytes, when the file could be read. */
  public Optional<byte[]> content() {
    return Optional.ofNullable(bytes).map(byte[]::clone);
  }

  public Optional<String> problemText() {
    return Optional.ofNullable(problem);
  }

  /**
   * Whether {@code other} is the same file with the same content (or the same problem): what
   * lets an evaluation reuse what it read from this file before. Compares without copying.
   */
  public boolean sameContent(SourceFile other) {
    return this == other || other != null && path.equals(other.path) && Objects.equals(problem, other.problem)
        && java.util.Arrays.equals(bytes, other.bytes);
  }

  /** The size of the content in bytes (0 for an unreadable file), without copying it. */
  public int size() {
    return bytes == null ? 0 : bytes.length;
  }

  @Override
  public byte[] bytes() {
    return bytes == null ? null : bytes.clone();
  }
}
