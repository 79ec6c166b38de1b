package dev.paved.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A bare repository in a temp dir used as a remote, plus a working clone to commit and push
 * with: real repositories, no mocks. Close it when done.
 */
public final class TestRemote implements AutoCloseable {

  public static final PersonIdent DEV = new PersonIdent("Dev", "dev@example.com");

  private final Path bare;
  private final Path work;
  private final Git git;

  private TestRemote(Path bare, Path work, Git git) {
    this.bare = bare;
    this.work = work;
    this.git = git;
  }

  /** An empty bare repo at {@code dir/remote.git} with its default branch {@code main}, and a clone of it. */
  public static TestRemote create(Path dir) throws GitAPIException {
    Path bare = dir.resolve("remote.git");
    Git.init().setBare(true).setGitDir(bare.toFile()).setInitialBranch("main").call().close();
    Path work = dir.resolve("work");
    Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish().setPath(bare.toString())).call();
    return new TestRemote(bare, work, git);
  }

  public Path bare() {
    return bare;
  }

  public Path work() {
    return work;
  }

  public Git git() {
    return git;
  }

  /** {@code file://} URL of the bare repo. */
  public String url() {
    return bare.toUri().toString();
  }

  public TestRemote write(String path, String text) throws IOException {
    Path p = work.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return this;
  }

  /** Copies the files of directory {@code from} into the working tree under {@code under} ("" for the root). */
  public TestRemote copy(Path from, String under) throws IOException {
    Path to = under.isEmpty() ? work : work.resolve(under);
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return this;
  }

  public TestRemote delete(String path) throws IOException {
    Files.delete(work.resolve(path));
    return this;
  }

  /** Commits every change of the working tree. */
  public RevCommit commit(String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    return git.commit().setMessage(message).setAuthor(DEV).setCommitter(DEV).setSign(false).call();
  }

  /** Pushes the current branch (or {@code refspec}) to the bare repo. */
  public void push(String... refspecs) throws GitAPIException {
    var push = git.push().setRemote("origin").setForce(false);
    if (refspecs.length == 0) {
      push.add(currentBranch());
    } else {
      for (String r : refspecs) {
        push.setRefSpecs(new org.eclipse.jgit.transport.RefSpec(r));
      }
    }
    push.call();
  }

  /** Commits and pushes. */
  public RevCommit commitAndPush(String message) throws GitAPIException {
    RevCommit c = commit(message);
    push();
    return c;
  }

  private String currentBranch() {
    try {
      return git.getRepository().getBranch();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bare repo's branch head, or null. */
  public ObjectId head(String branch) throws IOException {
    try (Git b = Git.open(bare.toFile())) {
      Ref r = b.getRepository().exactRef(Constants.R_HEADS + branch);
      return r == null ? null : r.getObjectId();
    }
  }

  /** The bare repo's branch names. */
  public List<String> branches() throws IOException, GitAPIException {
    try (Git b = Git.open(bare.toFile())) {
      List<String> names = new ArrayList<>();
      for (Ref r : b.branchList().call()) {
        names.add(org.eclipse.jgit.lib.Repository.shortenRefName(r.getName()));
      }
      return names;
    }
  }

  /** A commit of the bare repo, parsed (message, author, parents). */
  public RevCommit commitOf(ObjectId id) throws IOException {
    try (Git b = Git.open(bare.toFile()); RevWalk walk = new RevWalk(b.getRepository())) {
      RevCommit c = walk.parseCommit(id);
      walk.parseBody(c);
      return c;
    }
  }

  /** A file's text in a commit of the bare repo, or null if absent. */
  public String fileAt(ObjectId commit, String path) throws IOException {
    try (Git b = Git.open(bare.toFile()); RevWalk walk = new RevWalk(b.getRepository())) {
      RevCommit c = walk.parseCommit(commit);
      try (TreeWalk tw = TreeWalk.forPath(b.getRepository(), path, c.getTree())) {
        return tw == null ? null : new String(b.getRepository().open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
