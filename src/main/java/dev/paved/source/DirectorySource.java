package dev.paved.source;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Reads a config repo from a directory on disk (the working tree of a pull request). */
public final class DirectorySource {

  /**
   * How the caller spreads the reading of the files over its threads: {@code f} of each item,
   * in the items' order ({@code Workers::map} of the caller's workers).
   */
  @FunctionalInterface
  public interface ParallelMap {
    <T, R> List<R> map(List<T> items, Function<? super T, ? extends R> f);
  }

  private static final ParallelMap SEQUENTIAL = new ParallelMap() {
    @Override
    public <T, R> List<R> map(List<T> items, Function<? super T, ? extends R> f) {
      List<R> out = new ArrayList<>(items.size());
      for (T item : items) {
        out.add(f.apply(item));
      }
      return out;
    }
  };

  private DirectorySource() {}

  /** {@link #read(Path, ParallelMap)} on the caller's thread. */
  public static ConfigTree read(Path root) throws IOException {
    return read(root, SEQUENTIAL);
  }

  /**
   * Reads every regular file under {@code root}, skipping {@code .git}. Symlinks are followed
   * only while they stay inside {@code root}; one that leaves it is recorded as a problem. The
   * directory is walked on the caller's thread; the files are read through {@code threads}.
   * A file costs one {@code lstat} (the walk's) and an open, a read and a close: system calls
   * are what reading 40,000 small files spends its time on.
   */
  public static ConfigTree read(Path root, ParallelMap threads) throws IOException {
    Path base = root.toRealPath();
    List<Entry> entries = new ArrayList<>();
    Files.walkFileTree(base, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && dir.getParent().equals(base)
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String rel = base.relativize(file).toString().replace('\\', '/');
        if (!rel.equals(".git") && (attrs.isSymbolicLink() || attrs.isRegularFile())) {
          entries.add(new Entry(file, rel, attrs));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    List<SourceFile> read;
    try {
      read = threads.map(entries, e -> {
        try {
          return e.attrs.isSymbolicLink() ? readLink(base, e.path, e.rel) : readRegular(e.path, e.rel, e.attrs.size());
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Map<String, SourceFile> files = new TreeMap<>();
    for (SourceFile f : read) {
      files.put(f.path(), f);
    }
    return new ConfigTree(base.toString(), files);
  }

  /** A file or symlink the walk found, with the attributes it read ({@code lstat}). */
  private record Entry(Path path, String rel, BasicFileAttributes attrs) {}

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
    return readRegular(target, rel, Files.size(target));
  }

  /**
   * The file's bytes, read with one {@code read} of its size plus one byte: as many bytes as the
   * walk saw is its end; a file that shrank since is read to its end, one that grew is read
   * again whole.
   */
  private static SourceFile readRegular(Path p, String rel, long size) throws IOException {
    if (size > ConfigTree.MAX_FILE_BYTES) {
      return SourceFile.unreadable(rel, ConfigTree.tooLarge(size));
    }
    byte[] buffer = new byte[(int) size + 1];
    int n = 0;
    try (FileInputStream in = new FileInputStream(p.toFile())) {
      while (n < buffer.length) {
        int r = in.read(buffer, n, buffer.length - n);
        if (r < 0) {
          break;
        }
        n += r;
        if (n == size) {
          break; // as long as the walk saw it, and the one byte more was not there: its end
        }
      }
    }
    if (n > size) {
      long now = Files.size(p);
      return now > ConfigTree.MAX_FILE_BYTES ? SourceFile.unreadable(rel, ConfigTree.tooLarge(now))
          : new SourceFile(rel, Files.readAllBytes(p), null);
    }
    return new SourceFile(rel, java.util.Arrays.copyOf(buffer, n), null);
  }
}
