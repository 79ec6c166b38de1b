package dev.paved.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads a config repo from a directory on disk (the working tree of a pull request). */
public final class DirectorySource {

  private DirectorySource() {}

  /**
   * Reads every regular file under {@code root}, skipping {@code .git}. Symlinks are followed
   * only while they stay inside {@code root}; one that leaves it is recorded as a problem.
   */
  public static ConfigTree read(Path root) throws IOException {
    Path base = root.toRealPath();
    Map<String, SourceFile> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(base)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = base.relativize(p).toString().replace('\\', '/');
        if (rel.isEmpty() || rel.equals(".git") || rel.startsWith(".git/")) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          files.put(rel, readLink(base, p, rel));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          files.put(rel, readRegular(p, rel));
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new ConfigTree(base.toString(), files);
  }

  private static SourceFile readLink(Path base, Path link, String rel) throws IOException {
    Path target;
    try {
      target = link.toRealPath();
    } catch (IOException e) {
      return SourceFile.unreadable(rel, "symlink points to \"" + Files.readSymbolicLink(link)
          + "\", which does not exist");
    }
    if (!target.startsWith(base)) {
      return SourceFile.unreadable(rel, "symlink points outside the config repo (to \""
          + Files.readSymbolicLink(link) + "\"); Paved only reads files inside the repo");
    }
    if (Files.isDirectory(target)) {
      return SourceFile.unreadable(rel, "symlink to a directory; Paved does not follow them");
    }
    return readRegular(target, rel);
  }

  private static SourceFile readRegular(Path p, String rel) throws IOException {
    long size = Files.size(p);
    if (size > ConfigTree.MAX_FILE_BYTES) {
      return SourceFile.unreadable(rel, ConfigTree.tooLarge(size));
    }
    return new SourceFile(rel, Files.readAllBytes(p), null);
  }
}
