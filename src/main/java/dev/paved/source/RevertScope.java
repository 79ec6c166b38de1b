package dev.paved.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Which part of a commit a revert undoes, when the config repo is a sub-directory ({@code path})
 * of the git repository: a commit must change something under the path; a commit that also
 * changes files outside it is refused, unless path-only ({@link Reverter#setPathOnly}): then
 * those files are left as they are on the branch (the path's subtrees of the reverted commit and
 * its parent are grafted onto the branch's tree, so that nothing outside the path differs between
 * the three sides of the merge).
 */
final class RevertScope {

  /** The base and "theirs" trees of the revert's three-way merge (ours is the branch's tip). */
  record Sides(ObjectId base, ObjectId theirs) {}

  private final String path;
  private final boolean pathOnly;

  /** {@code path}: the config repo's sub-directory, empty for the whole repository. */
  RevertScope(String path, boolean pathOnly) {
    this.path = path;
    this.pathOnly = pathOnly;
  }

  /**
   * The sides of reverting {@code target} (back to {@code parent}) on {@code tip}; grafted trees
   * are written with {@code inserter}. Throws when the rules refuse the revert.
   */
  Sides sides(Repository repo, ObjectInserter inserter, RevCommit tip, RevCommit target, RevCommit parent)
      throws IOException, RevertRefusedException {
    if (path.isEmpty()) {
      return new Sides(target.getTree(), parent.getTree());
    }
    List<String> outside = outside(Reverter.abbrev(target), changedPaths(repo, parent.getTree(), target.getTree()));
    if (outside.isEmpty()) {
      return new Sides(target.getTree(), parent.getTree());
    }
    return new Sides(graft(repo, inserter, tip.getTree(), target.getTree(), path),
        graft(repo, inserter, tip.getTree(), parent.getTree(), path));
  }

  /**
   * Of the files a commit ({@code abbrev}) changes, those outside the path that a path-only revert
   * leaves alone; throws when it changes nothing under the path, or (unless path-only) also
   * changes files outside it.
   */
  List<String> outside(String abbrev, List<String> changed) throws RevertRefusedException {
    List<String> outside = changed.stream().filter(p -> !under(p)).toList();
    if (outside.size() == changed.size()) {
      throw nothingUnder(abbrev, changed);
    }
    if (!outside.isEmpty() && !pathOnly) {
      throw new RevertRefusedException("commit " + abbrev + " also changes files outside " + path
          + " (the config repo): " + String.join(", ", outside.size() > 10 ? outside.subList(0, 10) : outside)
          + (outside.size() > 10 ? " and " + (outside.size() - 10) + " more" : "") + ". Nothing was pushed."
          + " Ask to revert only its part under " + path + " (pathOnly in the revert API, --path-only"
          + " in paved rollback), or revert it in git by hand.");
    }
    return outside;
  }

  /** Throws when the revert of commit {@code abbrev}, which changes {@code changed}, changes nothing under the path. */
  void checkReverted(String abbrev, List<String> changed) throws RevertRefusedException {
    if (!path.isEmpty() && changed.stream().noneMatch(this::under)) {
      throw nothingUnder(abbrev, changed);
    }
  }

  private boolean under(String file) {
    return file.startsWith(path + "/");
  }

  private RevertRefusedException nothingUnder(String abbrev, List<String> changed) {
    return new RevertRefusedException("commit " + abbrev + " changes nothing under " + path
        + " (the config repo); it changes " + String.join(", ", changed) + ". Nothing was pushed.");
  }

  /** The files that differ between two trees, repo-relative, in tree order. */
  static List<String> changedPaths(Repository repo, ObjectId before, ObjectId after) throws IOException {
    List<String> paths = new ArrayList<>();
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(before);
      tw.addTree(after);
      tw.setRecursive(true);
      tw.setFilter(TreeFilter.ANY_DIFF);
      while (tw.next()) {
        paths.add(tw.getPathString());
      }
    }
    return paths;
  }

  /**
   * A tree equal to {@code outside} everywhere but under {@code path}, where it is {@code inside}'s
   * (written to the object database; no working tree, no index file).
   */
  private static ObjectId graft(Repository repo, ObjectInserter inserter, ObjectId outside, ObjectId inside,
      String path) throws IOException {
    DirCache dc = DirCache.newInCore();
    DirCacheBuilder b = dc.builder();
    String prefix = path + "/";
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(outside);
      tw.setRecursive(true);
      while (tw.next()) {
        if (!tw.getPathString().startsWith(prefix)) {
          b.add(entry(tw));
        }
      }
    }
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(inside);
      tw.setRecursive(true);
      tw.setFilter(PathFilter.create(path));
      while (tw.next()) {
        b.add(entry(tw));
      }
    }
    b.finish();
    return dc.writeTree(inserter);
  }

  private static DirCacheEntry entry(TreeWalk tw) {
    DirCacheEntry e = new DirCacheEntry(tw.getPathString());
    e.setFileMode(tw.getFileMode(0));
    e.setObjectId(tw.getObjectId(0));
    return e;
  }
}
