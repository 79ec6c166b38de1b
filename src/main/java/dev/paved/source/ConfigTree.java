package dev.paved.source;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of a config repo: files by repo-relative path, plus a label saying
 * where it came from (a directory, or a commit id).
 */
public record ConfigTree(String revision, Map<String, SourceFile> files) {

  /** Largest file Paved reads; larger files are reported, not parsed. */
  public static final long MAX_FILE_BYTES = 1024 * 1024;

  public ConfigTree {
    files = Collections.unmodifiableMap(new TreeMap<>(files));
  }

  public Optional<SourceFile> file(String path) {
    return Optional.ofNullable(files.get(path));
  }

  static String tooLarge(long size) {
    return "file is " + size + " bytes, larger than the " + MAX_FILE_BYTES
        + " bytes Paved reads; split it or move generated content out of the config repo";
  }
}
