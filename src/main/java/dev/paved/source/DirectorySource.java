package dev.paved.source;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
   * only while they stay inside {@code root}; one that leaves it is recorded as a problem.
   * Walking and reading are both spread through {@code threads}, one level of directories at a
   * time: each task lists one directory ({@code lstat} of each entry) and reads the files in it
   * (an open, a read and a close each), and returns its subdirectories for the next level.
   * System calls are what reading 40,000 small files spends its time on; a walk on one thread
   * left the second core idle for about half of the read.
   */
  public static ConfigTree read(Path root, ParallelMap threads) throws IOException {
    Path base = root.toRealPath();
    Map<String, SourceFile> files = new TreeMap<>();
    List<Path> level = List.of(base);
    while (!level.isEmpty()) {
      List<Listing> listings;
      try {
        listings = threads.map(level, dir -> {
          try {
            return list(base, dir);
          } catch (IOException ex) {
            throw new UncheckedIOException(ex);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      List<Path> next = new ArrayList<>();
      for (Listing l : listings) {
        for (SourceFile f : l.files()) {
          files.put(f.path(), f);
        }
        next.addAll(l.directories());
      }
      level = next;
    }
    return new ConfigTree(base.toString(), files);
  }

  /** What one directory holds: its files, read, and its subdirectories (not followed yet). */
  private record Listing(List<SourceFile> files, List<Path> directories) {}

  /** Lists {@code dir} (one {@code lstat} per entry) and reads its files and symlinks. */
  private static Listing list(Path base, Path dir) throws IOException {
    List<SourceFile> files = new ArrayList<>();
    List<Path> directories = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isDirectory()) {
          if (!(dir.equals(base) && p.getFileName().toString().equals(".git"))) {
            directories.add(p);
          }
          continue;
        }
        String rel = base.relativize(p).toString().replace('\\', '/');
        if (rel.equals(".git")) {
          continue; // a git file (a worktree's or a submodule's link to its repository)
        }
        if (attrs.isSymbolicLink()) {
          files.add(readLink(base, p, rel));
        } else if (attrs.isRegularFile()) {
          files.add(readRegular(p, rel, attrs.size()));
        }
      }
    }
    return new Listing(files, directories);
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
