package dev.paved.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local bare mirror of one branch of a remote config repo, kept under a state directory at
 * {@code <stateDir>/repos/<name>.git}. The first {@link #fetch()} downloads the branch's history
 * (a bare clone); later ones fetch only what is new, into the same directory. {@link #read}
 * reads any fetched commit's config tree (under the remote's sub-path) straight from the object
 * database, and {@link #revert} reverts a commit and pushes the revert.
 *
 * <p>Thread-safe: fetches and reverts of one mirror run one at a time (a second caller waits
 * for the first; coalescing belongs to the caller); reads may run alongside them. Every method
 * may block on the network or disk: call it from a worker thread. Close the mirror when done.
 *
 * <pre>{@code
 * try (GitMirror mirror = GitMirror.open(stateDir, "platform", GitRemote.of(url).withPath("config"))) {
 *   GitMirror.FetchResult f = mirror.fetch();
 *   if (f.moved()) {
 *     ConfigTree tree = mirror.read(f.head());
 *   }
 * }
 * }</pre>
 */
public final class GitMirror implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GitMirror.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  /** Above this many pack files, a fetch that moved the branch repacks the mirror. */
  static final int MAX_PACKS = 40;

  /**
   * The outcome of a fetch: the branch's head commit id now, the head the mirror had before
   * ({@code null} on the first fetch into an empty mirror), and whether it moved.
   */
  public record FetchResult(String head, String previous, boolean moved) {

    public FetchResult {
      Objects.requireNonNull(head, "head");
    }

    /** Whether this was the first fetch into an empty mirror (the bare clone). */
    public boolean first() {
      return previous == null;
    }
  }

  private final String name;
  private final GitRemote remote;
  private final Path directory;
  private final Repository repository;
  private final Transports transports;
  private final ReentrantLock lock = new ReentrantLock();
  /** The tree read last, the base of the next read. */
  private volatile GitSource.Read lastRead;

  private GitMirror(String name, GitRemote remote, Path directory, Repository repository, Transports transports) {
    this.name = name;
    this.remote = remote;
    this.directory = directory;
    this.repository = repository;
    this.transports = transports;
  }

  /**
   * Opens the mirror {@code name} of {@code remote} under {@code stateDir}, creating an empty
   * bare repository on first use (no network access: the first {@link #fetch()} fills it). A
   * directory left unusable by a crash is recreated. {@code name} is a plain file name.
   */
  public static GitMirror open(Path stateDir, String name, GitRemote remote) throws GitSourceException {
    return open(stateDir, name, remote, System::getenv);
  }

  /** As {@link #open(Path, String, GitRemote)}, with environment variables looked up in {@code env}. */
  static GitMirror open(Path stateDir, String name, GitRemote remote, Function<String, String> env)
      throws GitSourceException {
    Objects.requireNonNull(remote, "remote");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("repo name \"" + name + "\" must be letters, digits, '.', '_' or '-'"
          + " (at most 100, not starting with '.', '_' or '-')");
    }
    Path dir = stateDir.resolve("repos").resolve(name + ".git").toAbsolutePath().normalize();
    try {
      Repository repo = openOrCreate(dir, remote);
      return new GitMirror(name, remote, dir, repo, new Transports(remote, env));
    } catch (IOException | GitAPIException e) {
      throw new GitSourceException("cannot create the git mirror of " + remote.display() + " at " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private static Repository openOrCreate(Path dir, GitRemote remote) throws IOException, GitAPIException {
    Repository repo = null;
    if (Files.isDirectory(dir)) {
      try {
        repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
        if (!repo.isBare() || !repo.getObjectDatabase().exists()) {
          throw new IOException("not a bare repository");
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("git mirror {} is unusable ({}); recreating it", dir, e.getMessage());
        if (repo != null) {
          repo.close();
          repo = null;
        }
        FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY);
      }
    }
    if (repo == null) {
      Files.createDirectories(dir.getParent());
      try (Git git = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch(remote.branch()).call()) {
        repo = git.getRepository();
        repo.incrementOpen();
      }
    }
    // Recorded so that someone can look into the mirror with plain git (git -C DIR log, git fetch).
    StoredConfig config = repo.getConfig();
    String refspec = "+" + remote.ref() + ":" + remote.ref();
    if (!remote.display().equals(config.getString("remote", "origin", "url"))
        || !refspec.equals(config.getString("remote", "origin", "fetch"))) {
      config.setString("remote", "origin", "url", remote.display());
      config.setString("remote", "origin", "fetch", refspec);
      config.setBoolean("core", null, "logAllRefUpdates", true);
      config.save();
    }
    Ref head = repo.exactRef(Constants.HEAD);
    if (head == null || !head.isSymbolic() || !head.getTarget().getName().equals(remote.ref())) {
      repo.updateRef(Constants.HEAD).link(remote.ref());
    }
    return repo;
  }

  /**
   * Fetches the branch from the remote into the mirror (incrementally: only objects the mirror
   * lacks are transferred) and reports its head. Waits while another fetch or revert of this
   * mirror runs.
   *
   * @throws RemoteUnreachableException the remote cannot be reached (retry later)
   * @throws AuthenticationFailedException the credentials are missing or refused
   * @throws BranchNotFoundException the remote has no such branch
   */
  public FetchResult fetch() throws GitSourceException {
    lock.lock();
    try {
      return fetchLocked();
    } finally {
      lock.unlock();
    }
  }

  /** The fetch itself; the caller holds the lock. */
  FetchResult fetchLocked() throws GitSourceException {
    ObjectId before = localHead();
    transports.run(repository, "fetch " + remote.branch() + " from " + remote.display(), t -> {
      t.setTagOpt(TagOpt.NO_TAGS);
      return t.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+" + remote.ref() + ":" + remote.ref())));
    });
    ObjectId after = localHead();
    if (after == null) {
      throw new BranchNotFoundException("branch " + remote.branch() + " does not exist in " + remote.display());
    }
    boolean moved = !after.equals(before);
    LOG.debug("fetched {} of {}: {} ({})", remote.branch(), remote.display(), after.name(),
        moved ? "moved from " + (before == null ? "nothing" : before.name()) : "unchanged");
    if (moved) {
      repackIfNeeded();
    }
    return new FetchResult(after.name(), before == null ? null : before.name(), moved);
  }

  private ObjectId localHead() throws GitSourceException {
    try {
      Ref ref = repository.exactRef(remote.ref());
      return ref == null ? null : ref.getObjectId();
    } catch (IOException e) {
      throw new GitSourceException("cannot read " + remote.ref() + " in the git mirror at " + directory + ": "
          + e.getMessage(), e);
    }
  }

  /** Each incremental fetch adds a pack; past {@link #MAX_PACKS} they are merged into one. */
  private void repackIfNeeded() {
    int packs = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory.resolve("objects/pack"), "*.pack")) {
      for (Path ignored : s) {
        packs++;
      }
      if (packs > MAX_PACKS) {
        LOG.debug("repacking git mirror {} ({} packs)", directory, packs);
        Git.wrap(repository).gc().call();
      }
    } catch (IOException | GitAPIException | RuntimeException e) {
      LOG.warn("cannot repack git mirror {}: {}", directory, e.toString());
    }
  }

  /**
   * The branch's head as of the last fetch (no network), or empty before the first fetch.
   */
  public Optional<String> head() throws GitSourceException {
    return Optional.ofNullable(localHead()).map(ObjectId::name);
  }

  /**
   * Reads the config tree at {@code commitId} (a fetched commit; any revision the mirror can
   * resolve) under the remote's sub-path, from the object database. May run during a fetch.
   *
   * @throws GitSourceException the commit is unknown to the mirror or unreadable, or it has no
   *     file under the sub-path (a moved or misspelled path must not read as an empty config)
   */
  public ConfigTree read(String commitId) throws GitSourceException {
    ConfigTree tree;
    repository.incrementOpen();
    try (GitSource source = GitSource.open(repository, remote.path())) {
      // From the tree read last (when it holds no symlink): only the blobs that differ are read,
      // and the unchanged files are the same objects, which the evaluation recognizes at once.
      GitSource.Read last = lastRead;
      GitSource.Read read = last != null && !last.symlinks() ? source.readFrom(commitId, last.tree())
          : source.readTree(commitId);
      lastRead = read;
      tree = read.tree();
    }
    if (!remote.path().isEmpty() && tree.files().isEmpty()) {
      throw new GitSourceException("commit " + tree.revision().substring(0, 7) + " of " + remote.display()
          + " has no directory \"" + remote.path() + "\" (the configured path of the config repo)");
    }
    return tree;
  }

  /**
   * The commits reachable from {@code head} that change the config repo's directory, newest
   * first, at most {@code max} ({@link GitSource#log}).
   */
  public java.util.List<CommitInfo> log(String head, int max) throws GitSourceException {
    repository.incrementOpen();
    try (GitSource source = GitSource.open(repository, remote.path())) {
      return source.log(head, max);
    }
  }

  /**
   * Whether {@code ancestor} is {@code commit} or one of its ancestors, in the mirror's object
   * database (JGit's {@code RevWalk.isMergedInto}). {@code ancestor} is a full commit id; one the
   * mirror does not hold (history rewritten before this mirror was made, or not a commit id at
   * all) is no ancestor. May run during a fetch.
   *
   * @throws GitSourceException {@code commit} is not in the mirror, or the database is unreadable
   */
  public boolean isAncestor(String ancestor, String commit) throws GitSourceException {
    if (ancestor.equals(commit)) {
      return true;
    }
    if (!ObjectId.isId(ancestor)) {
      return false;
    }
    try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repository)) {
      org.eclipse.jgit.revwalk.RevCommit tip;
      try {
        tip = walk.parseCommit(ObjectId.fromString(commit));
      } catch (IllegalArgumentException | org.eclipse.jgit.errors.MissingObjectException e) {
        throw new CommitNotFoundException("commit " + commit + " is not in the git mirror of " + remote.display());
      }
      org.eclipse.jgit.revwalk.RevCommit base;
      try {
        base = walk.parseCommit(ObjectId.fromString(ancestor));
      } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
        return false;
      }
      return walk.isMergedInto(base, tip);
    } catch (IOException e) {
      throw new GitSourceException("cannot read the history of " + remote.display() + " in the git mirror at "
          + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * A revert of {@code commit} (a commit id, possibly abbreviated, or a revision such as
   * {@code main~2}) on the branch; set its options, then {@link Reverter#call()}.
   */
  public Reverter revert(String commit) {
    return new Reverter(this, commit);
  }

  public String name() {
    return name;
  }

  public GitRemote remote() {
    return remote;
  }

  /** The mirror's directory, {@code <stateDir>/repos/<name>.git}. */
  public Path directory() {
    return directory;
  }

  Repository repository() {
    return repository;
  }

  Transports transports() {
    return transports;
  }

  ReentrantLock lock() {
    return lock;
  }

  @Override
  public void close() {
    transports.close();
    repository.close();
  }

  @Override
  public String toString() {
    return "GitMirror[" + name + " " + remote + " at " + directory + "]";
  }
}
