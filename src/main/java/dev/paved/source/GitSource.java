package dev.paved.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Reads a config repo at a git revision straight from the object database: no checkout, no
 * working-tree changes. One instance per repository; close it when done.
 */
public final class GitSource implements AutoCloseable {

  private final Repository repository;
  private final String subPath;

  private GitSource(Repository repository, String subPath) {
    this.repository = repository;
    this.subPath = subPath;
  }

  /**
   * Opens the repository containing {@code dir}; the config repo is read from the part of the
   * tree under {@code dir} (so a config repo may live in a sub-directory of a larger repo).
   */
  public static GitSource open(Path dir) throws GitSourceException {
    try {
      Path abs = dir.toRealPath();
      FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment()
          .findGitDir(abs.toFile());
      if (builder.getGitDir() == null) {
        throw new GitSourceException(dir + " is not inside a git repository");
      }
      Repository repo = builder.setMustExist(true).build();
      String sub = "";
      if (!repo.isBare()) {
        Path top = repo.getWorkTree().toPath().toRealPath();
        sub = top.relativize(abs).toString().replace('\\', '/');
      }
      return new GitSource(repo, sub);
    } catch (IOException e) {
      throw new GitSourceException("cannot open git repository at " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Opens a repository (bare or not) and reads the config repo under {@code subPath}. */
  public static GitSource open(Repository repository, String subPath) {
    return new GitSource(repository, subPath == null ? "" : subPath.replaceAll("^/+|/+$", ""));
  }

  /** Resolves a revision (branch, tag, commit id, {@code HEAD~1}...) to a commit id. */
  public ObjectId resolve(String revision) throws GitSourceException {
    try {
      ObjectId id = repository.resolve(revision + "^{commit}");
      if (id == null) {
        throw new GitSourceException("unknown git revision \"" + revision + "\"");
      }
      return id;
    } catch (IOException | RuntimeException e) {
      throw new GitSourceException("cannot resolve git revision \"" + revision + "\": " + e.getMessage(), e);
    }
  }

  /** Reads the config tree at {@code revision}; the tree's revision is the full commit id. */
  public ConfigTree read(String revision) throws GitSourceException {
    return readTree(revision).tree();
  }

  /** A tree read, and whether it holds a symlink (whose content depends on another path). */
  record Read(ConfigTree tree, boolean symlinks) {}

  /**
   * Reads the config tree at {@code revision} from {@code base} (a tree this class read at another
   * commit of this repository, holding no symlink): only the paths whose blob differs between the
   * two commits are read (git compares tree ids, so unchanged directories are skipped whole); the
   * other files are {@code base}'s very {@link SourceFile}s. Reads the whole tree when the change
   * touches a symlink, or when {@code base}'s commit is not in the repository.
   */
  Read readFrom(String revision, ConfigTree base) throws GitSourceException {
    ObjectId commitId = resolve(revision);
    try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
      RevCommit commit = walk.parseCommit(commitId);
      RevCommit before;
      try {
        before = walk.parseCommit(ObjectId.fromString(base.revision()));
      } catch (IOException | IllegalArgumentException e) {
        return readTree(revision);
      }
      Map<String, SourceFile> files = new java.util.HashMap<>(base.files());
      try (TreeWalk tw = new TreeWalk(reader)) {
        tw.addTree(before.getTree());
        tw.addTree(commit.getTree());
        tw.setRecursive(true);
        tw.setFilter(subPath.isEmpty() ? org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF
            : org.eclipse.jgit.treewalk.filter.AndTreeFilter.create(PathFilter.create(subPath),
                org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF));
        while (tw.next()) {
          FileMode was = tw.getFileMode(0);
          FileMode mode = tw.getFileMode(1);
          if (was == FileMode.SYMLINK || mode == FileMode.SYMLINK) {
            return readTree(revision);
          }
          String full = tw.getPathString();
          String rel = subPath.isEmpty() ? full : full.substring(subPath.length() + 1);
          files.remove(rel);
          if (mode == FileMode.MISSING || mode == FileMode.GITLINK || mode == FileMode.TREE) {
            continue;
          }
          files.put(rel, readBlob(reader, rel, tw.getObjectId(1)));
        }
      }
      return new Read(new ConfigTree(commit.getName(), files), false);
    } catch (IOException e) {
      throw new GitSourceException("cannot read commit " + commitId.getName() + ": " + e.getMessage(), e);
    }
  }

  /** Reads the whole config tree at {@code revision}, and says whether it holds a symlink. */
  Read readTree(String revision) throws GitSourceException {
    ObjectId commitId = resolve(revision);
    boolean symlinks = false;
    try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
      RevCommit commit = walk.parseCommit(commitId);
      RevTree tree = commit.getTree();
      Map<String, SourceFile> files = new TreeMap<>();
      try (TreeWalk tw = new TreeWalk(reader)) {
        tw.addTree(tree);
        tw.setRecursive(true);
        if (!subPath.isEmpty()) {
          tw.setFilter(PathFilter.create(subPath));
        }
        while (tw.next()) {
          String full = tw.getPathString();
          String rel = subPath.isEmpty() ? full : full.substring(subPath.length() + 1);
          FileMode mode = tw.getFileMode(0);
          if (mode == FileMode.GITLINK) {
            continue;
          }
          if (mode == FileMode.SYMLINK) {
            symlinks = true;
            files.put(rel, readSymlink(reader, tree, full, rel, tw.getObjectId(0)));
          } else {
            files.put(rel, readBlob(reader, rel, tw.getObjectId(0)));
          }
        }
      }
      return new Read(new ConfigTree(commit.getName(), files), symlinks);
    } catch (IOException e) {
      throw new GitSourceException("cannot read commit " + commitId.getName() + ": " + e.getMessage(), e);
    }
  }

  private static SourceFile readBlob(ObjectReader reader, String rel, ObjectId id) throws IOException {
    ObjectLoader loader = reader.open(id, Constants.OBJ_BLOB);
    if (loader.getSize() > ConfigTree.MAX_FILE_BYTES) {
      return SourceFile.unreadable(rel, ConfigTree.tooLarge(loader.getSize()));
    }
    return new SourceFile(rel, loader.getCachedBytes(), null);
  }

  private SourceFile readSymlink(ObjectReader reader, RevTree tree, String full, String rel, ObjectId id)
      throws IOException {
    String target = new String(reader.open(id).getCachedBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String dir = full.contains("/") ? full.substring(0, full.lastIndexOf('/')) : "";
    String resolved = target.startsWith("/") ? null : normalize(dir.isEmpty() ? target : dir + "/" + target);
    String root = subPath.isEmpty() ? "" : subPath + "/";
    if (resolved == null || !resolved.startsWith(root)) {
      return SourceFile.unreadable(rel, "symlink points outside the config repo (to \"" + target
          + "\"); Paved only reads files inside the repo");
    }
    try (TreeWalk tw = TreeWalk.forPath(reader, resolved, tree)) {
      if (tw == null || tw.getFileMode(0) != FileMode.REGULAR_FILE
          && tw.getFileMode(0) != FileMode.EXECUTABLE_FILE) {
        return SourceFile.unreadable(rel, "symlink points to \"" + target + "\", which is not a file in this commit");
      }
      return readBlob(reader, rel, tw.getObjectId(0));
    }
  }

  /** Normalizes a '/'-separated path; returns null when it climbs above the repo root. */
  static String normalize(String path) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /**
   * The commits reachable from {@code head} that change something under the config repo's
   * directory, newest first, at most {@code max}: the only commits that can change what Paved
   * renders. Each is compared with its first parent.
   */
  public java.util.List<CommitInfo> log(String head, int max) throws GitSourceException {
    ObjectId start = resolve(head);
    try (org.eclipse.jgit.api.Git git = new org.eclipse.jgit.api.Git(repository)) {
      org.eclipse.jgit.api.LogCommand log = git.log().add(start).setMaxCount(max);
      if (!subPath.isEmpty()) {
        log.addPath(subPath);
      }
      java.util.List<CommitInfo> out = new java.util.ArrayList<>();
      for (RevCommit c : log.call()) {
        org.eclipse.jgit.lib.PersonIdent who = c.getAuthorIdent();
        out.add(new CommitInfo(c.getName(), c.getParentCount() == 0 ? null : c.getParent(0).getName(),
            who.getName(), who.getEmailAddress(), who.getWhenAsInstant(), c.getShortMessage()));
      }
      return out;
    } catch (org.eclipse.jgit.api.errors.GitAPIException | IOException e) {
      throw new GitSourceException("cannot read the history of " + head + ": " + e.getMessage(), e);
    }
  }

  public Repository repository() {
    return repository;
  }

  @Override
  public void close() {
    repository.close();
  }
}
