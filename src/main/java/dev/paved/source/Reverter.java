package dev.paved.source;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.lib.Signers;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reverts one commit of a mirror's branch and pushes the revert: {@code git revert} done in
 * memory on the bare mirror (the same three-way merge JGit's {@code RevertCommand} runs, with
 * no working tree or checkout), committed with the actor as author, then pushed to the branch
 * (only if the branch is still where it was fetched) or, with {@link #setPrBranch}, to a new
 * branch for review, leaving the branch alone.
 *
 * <p>A revert that conflicts, a commit that is not on the branch, a merge commit without a
 * mainline: a typed error, and nothing is pushed. If the branch moved between fetch and push,
 * the revert is fetched, redone and pushed once more; a second rejection is an error.
 *
 * <pre>{@code
 * Reverter.Result r = mirror.revert("1a2b3c4").setActor("Alice <alice@example.com>")
 *     .setReason("checkout 1.4 breaks payments").call();
 * }</pre>
 */
public final class Reverter {

  private static final Logger LOG = LoggerFactory.getLogger(Reverter.class);
  /** Author when no actor is given, and committer of every revert. */
  public static final PersonIdent PAVED = new PersonIdent("Paved", "paved@localhost");
  private static final Pattern NAME_EMAIL = Pattern.compile("\\s*([^<>]*?)\\s*<([^<>]*)>\\s*");

  /**
   * A pushed revert: the new commit, the branch it was pushed to ({@code branch} itself, or the
   * review branch), the reverted commit (full id) and its subject, the branch the revert is
   * based on, whether it went to a new review branch, the files it changes (repo-relative), and
   * the author ({@code "Name <email>"}).
   */
  public record Result(String revertCommit, String pushedTo, String reverted, String subject, String branch,
      boolean reviewBranch, List<String> paths, String author) {

    public Result {
      paths = List.copyOf(paths);
    }
  }

  private final GitMirror mirror;
  private final String commit;
  private PersonIdent actor = PAVED;
  private String reason;
  private String prBranch;
  private int mainline;
  private boolean pathOnly;
  private Path signingKey;
  private java.util.function.IntConsumer beforePush = attempt -> {};

  Reverter(GitMirror mirror, String commit) {
    this.mirror = mirror;
    if (commit == null || commit.isBlank()) {
      throw new IllegalArgumentException("no commit to revert");
    }
    this.commit = commit.strip();
  }

  /** Who rolls back: {@code "Name <email>"} or a plain name; default {@code Paved <paved@localhost>}. */
  public Reverter setActor(String nameAndEmail) {
    this.actor = nameAndEmail == null || nameAndEmail.isBlank() ? PAVED : parseActor(nameAndEmail);
    return this;
  }

  public Reverter setActor(PersonIdent person) {
    this.actor = person == null ? PAVED : person;
    return this;
  }

  /**
   * Why, for the commit message: one line ({@link RevertReason}); a reason that breaks the rule is
   * an {@link IllegalArgumentException} naming it.
   */
  public Reverter setReason(String text) {
    java.util.Optional<String> problem = RevertReason.problem(text);
    if (problem.isPresent()) {
      throw new IllegalArgumentException("the reason " + problem.get());
    }
    this.reason = text == null || text.isBlank() ? null : text.strip();
    return this;
  }

  /** Push the revert to this new branch (for review) instead of the mirror's branch. */
  public Reverter setPrBranch(String branch) {
    if (branch != null && branch.startsWith(Constants.R_HEADS)) {
      branch = branch.substring(Constants.R_HEADS.length());
    }
    if (branch != null && !branch.isBlank() && !Repository.isValidRefName(Constants.R_HEADS + branch.strip())) {
      throw new IllegalArgumentException("\"" + branch + "\" is not a valid git branch name");
    }
    this.prBranch = branch == null || branch.isBlank() ? null : branch.strip();
    return this;
  }

  /** For a merge commit: the parent (1-based) whose side is kept, as {@code git revert -m}. */
  public Reverter setMainlineParent(int parent) {
    if (parent < 0) {
      throw new IllegalArgumentException("the mainline parent number must be 1 or more");
    }
    this.mainline = parent;
    return this;
  }

  /**
   * A commit that also changes files outside the remote's path (the config repo's sub-directory)
   * is refused unless {@code pathOnly}: then only its part under the path is reverted and the
   * rest is left as it is on the branch. The rule of the revert API ({@code pathOnly}) and of
   * {@code paved rollback} ({@code --path-only}); without a path it changes nothing.
   */
  public Reverter setPathOnly(boolean pathOnly) {
    this.pathOnly = pathOnly;
    return this;
  }

  /**
   * Sign the revert with this SSH private key file (unencrypted OpenSSH format; see
   * {@link RevertSigningKey}), by JGit's SSH signer; default: unsigned.
   */
  public Reverter setSigningKey(Path sshPrivateKeyFile) {
    this.signingKey = sshPrivateKeyFile;
    return this;
  }

  /** Tests: runs before each push attempt (1, 2), e.g. to move the branch meanwhile. */
  Reverter beforePush(java.util.function.IntConsumer hook) {
    this.beforePush = hook;
    return this;
  }

  /**
   * Fetches the branch, reverts the commit on its head and pushes the revert.
   *
   * @throws CommitNotFoundException the commit is unknown or not on the branch
   * @throws RevertRefusedException a merge commit without mainline, a root commit, a commit that
   *     changes nothing under the sub-path, the branch is checked out in a local remote's
   *     working tree; {@link NothingToRevertException} when its changes are already undone
   * @throws RevertConflictException the revert conflicts with later changes (nothing pushed)
   * @throws PushRejectedException the push was refused (after one retry if the branch moved)
   * @throws RemoteUnreachableException, AuthenticationFailedException, BranchNotFoundException
   *     as for {@link GitMirror#fetch()}
   */
  public Result call() throws GitSourceException {
    GitRemote remote = mirror.remote();
    if (prBranch != null && prBranch.equals(remote.branch())) {
      throw new IllegalArgumentException("the review branch must differ from " + remote.branch());
    }
    if (prBranch == null) {
      refuseCheckedOutBranch(remote);
    }
    mirror.lock().lock();
    try {
      for (int attempt = 1; ; attempt++) {
        GitMirror.FetchResult fetched = mirror.fetchLocked();
        Prepared p = prepare(ObjectId.fromString(fetched.head()));
        String target = prBranch == null ? remote.ref() : Constants.R_HEADS + prBranch;
        beforePush.accept(attempt);
        RemoteRefUpdate update = push(p.revert, target, prBranch == null ? p.tip : ObjectId.zeroId());
        switch (update.getStatus()) {
          case OK -> {
            LOG.info("reverted {} on {} of {}: {} pushed to {}", p.reverted.name(), remote.branch(), remote.display(),
                p.revert.name(), Repository.shortenRefName(target));
            return new Result(p.revert.name(), Repository.shortenRefName(target), p.reverted.name(),
                p.reverted.getShortMessage(), remote.branch(), prBranch != null, p.paths, format(actor));
          }
          case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> {
            if (prBranch != null) {
              throw new PushRejectedException("branch " + prBranch + " already exists in " + remote.display()
                  + "; choose another review branch name. Nothing was pushed.");
            }
            if (attempt >= 2) {
              throw new PushRejectedException(remote.display() + " refused the revert of " + abbrev(p.reverted)
                  + ": branch " + remote.branch() + " moved again while reverting (tried twice). Nothing was"
                  + " pushed; run the rollback again.");
            }
            LOG.info("branch {} of {} moved while reverting; fetching and retrying once", remote.branch(),
                remote.display());
          }
          default -> throw new PushRejectedException(remote.display() + " refused the push of the revert of "
              + abbrev(p.reverted) + " to " + Repository.shortenRefName(target) + ": " + describe(update)
              + ". Nothing was changed.");
        }
      }
    } finally {
      mirror.lock().unlock();
    }
  }

  /** The revert commit, written into the mirror's object database but not on any ref yet. */
  private record Prepared(RevCommit reverted, ObjectId tip, ObjectId revert, List<String> paths) {}

  private Prepared prepare(ObjectId tipId) throws GitSourceException {
    Repository repo = mirror.repository();
    GitRemote remote = mirror.remote();
    try (RevWalk walk = new RevWalk(repo); ObjectInserter inserter = repo.newObjectInserter()) {
      RevCommit tip = walk.parseCommit(tipId);
      RevCommit target = walk.parseCommit(resolve(repo));
      if (!walk.isMergedInto(target, tip)) {
        throw new CommitNotFoundException("commit " + abbrev(target) + " is not on branch " + remote.branch()
            + " of " + remote.display());
      }
      walk.reset();
      walk.parseBody(target);
      RevCommit parent = parentToRestore(target);
      walk.parseHeaders(parent);

      // The revert is a three-way merge of the tip with the parent, based on the reverted commit;
      // reverting only the path's part grafts the path's subtree of both onto the tip's tree, so
      // that nothing outside the path differs between the three.
      ObjectId base = target.getTree();
      ObjectId theirs = parent.getTree();
      if (!remote.path().isEmpty()) {
        List<String> own = changedPaths(repo, parent.getTree(), target.getTree());
        List<String> outside = own.stream().filter(p -> !p.startsWith(remote.path() + "/")).toList();
        if (outside.size() == own.size()) {
          throw new RevertRefusedException("commit " + abbrev(target) + " changes nothing under " + remote.path()
              + " (the config repo); it changes " + String.join(", ", own) + ". Nothing was pushed.");
        }
        if (!outside.isEmpty() && !pathOnly) {
          throw new RevertRefusedException("commit " + abbrev(target) + " also changes files outside " + remote.path()
              + " (the config repo): " + String.join(", ", outside.size() > 10 ? outside.subList(0, 10) : outside)
              + (outside.size() > 10 ? " and " + (outside.size() - 10) + " more" : "") + ". Nothing was pushed."
              + " Ask to revert only its part under " + remote.path() + " (pathOnly in the revert API, --path-only"
              + " in paved rollback), or revert it in git by hand.");
        }
        if (!outside.isEmpty()) {
          base = graft(repo, inserter, tip.getTree(), target.getTree(), remote.path());
          theirs = graft(repo, inserter, tip.getTree(), parent.getTree(), remote.path());
        }
      }
      ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
      merger.setBase(base);
      merger.setCommitNames(new String[] {"reverted " + abbrev(target), remote.branch(), "parent of " + abbrev(target)});
      if (!merger.merge(tip.getTree(), theirs)) {
        List<String> paths = new ArrayList<>(new TreeSet<>(merger.getUnmergedPaths()));
        Map<String, ResolveMerger.MergeFailureReason> failing = merger.getFailingPaths();
        if (paths.isEmpty() && failing != null) {
          paths.addAll(new TreeSet<>(failing.keySet()));
        }
        throw new RevertConflictException("reverting " + abbrev(target) + " \"" + target.getShortMessage()
            + "\" conflicts with later changes on " + remote.branch() + " in " + String.join(", ", paths)
            + ". Nothing was pushed. Revert it by hand (git revert " + abbrev(target) + "), resolve the conflicts"
            + " and push, or roll back the later commits first.", paths);
      }
      ObjectId tree = merger.getResultTreeId();
      List<String> changed = changedPaths(repo, tip.getTree(), tree);
      if (changed.isEmpty()) {
        throw new NothingToRevertException("nothing to revert: the changes of " + abbrev(target) + " \""
            + target.getShortMessage() + "\" are already undone on " + remote.branch() + ". Nothing was pushed.");
      }
      if (!remote.path().isEmpty() && changed.stream().noneMatch(p -> p.startsWith(remote.path() + "/"))) {
        throw new RevertRefusedException("commit " + abbrev(target) + " changes nothing under " + remote.path()
            + " (the config repo); it changes " + String.join(", ", changed) + ". Nothing was pushed.");
      }
      Instant now = Instant.now();
      CommitBuilder cb = new CommitBuilder();
      cb.setTreeId(tree);
      cb.setParentId(tip);
      cb.setAuthor(new PersonIdent(actor, now, ZoneId.systemDefault()));
      cb.setCommitter(new PersonIdent(PAVED, now, ZoneId.systemDefault()));
      cb.setMessage(message(target, parent));
      sign(repo, cb);
      ObjectId id = inserter.insert(cb);
      inserter.flush();
      return new Prepared(target, tip, id, changed);
    } catch (IOException e) {
      throw new GitSourceException("cannot revert " + commit + " in the git mirror at " + mirror.directory() + ": "
          + e.getMessage(), e);
    }
  }

  private void sign(Repository repo, CommitBuilder cb) throws GitSourceException {
    if (signingKey == null) {
      return;
    }
    Config c = new Config();
    c.setString("gpg", null, "format", "ssh");
    try {
      Signers.get(GpgConfig.GpgFormat.SSH).signObject(repo, new GpgConfig(c), cb, cb.getCommitter(),
          signingKey.toString(), null);
    } catch (IOException | org.eclipse.jgit.api.errors.GitAPIException | RuntimeException e) {
      throw new GitSourceException("cannot sign the revert with the key in " + signingKey + ": " + e.getMessage()
          + ". Nothing was pushed.", e);
    }
  }

  private ObjectId resolve(Repository repo) throws GitSourceException, IOException {
    try {
      ObjectId id = repo.resolve(commit + "^{commit}");
      if (id == null) {
        throw new CommitNotFoundException("unknown commit " + commit + " (not in " + mirror.remote().branch()
            + " of " + mirror.remote().display() + ")");
      }
      return id;
    } catch (org.eclipse.jgit.errors.MissingObjectException e) {
      throw new CommitNotFoundException("unknown commit " + commit + " (not in " + mirror.remote().branch()
          + " of " + mirror.remote().display() + ")");
    } catch (AmbiguousObjectException e) {
      throw new CommitNotFoundException("commit id " + commit + " is ambiguous; give more of its digits");
    } catch (RevisionSyntaxException e) {
      throw new CommitNotFoundException("\"" + commit + "\" is not a commit id");
    }
  }

  private RevCommit parentToRestore(RevCommit target) throws RevertRefusedException {
    int parents = target.getParentCount();
    if (parents == 0) {
      throw new RevertRefusedException("commit " + abbrev(target) + " is the first commit of the branch;"
          + " there is nothing before it to roll back to");
    }
    if (parents > 1 && mainline == 0) {
      throw new RevertRefusedException("commit " + abbrev(target) + " is a merge commit; say which parent is the"
          + " mainline (1 for the branch it was merged into, as git revert -m 1)");
    }
    if (parents == 1 && mainline > 1) {
      throw new RevertRefusedException("commit " + abbrev(target) + " is not a merge commit; mainline "
          + mainline + " does not apply");
    }
    if (mainline > parents) {
      throw new RevertRefusedException("commit " + abbrev(target) + " has " + parents + " parents; mainline "
          + mainline + " does not exist");
    }
    return target.getParent(Math.max(mainline, 1) - 1);
  }

  private String message(RevCommit target, RevCommit parent) {
    StringBuilder m = new StringBuilder();
    m.append("Revert \"").append(target.getShortMessage()).append("\"\n\n");
    m.append("This reverts commit ").append(target.name());
    if (target.getParentCount() > 1) {
      m.append(", reversing\nchanges made to ").append(parent.name());
    }
    m.append(".\n\nRolled back by ").append(format(actor)).append(" with paved");
    m.append(reason == null ? ".\n" : ": " + reason + "\n");
    return m.toString();
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

  private static List<String> changedPaths(Repository repo, ObjectId before, ObjectId after) throws IOException {
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

  private RemoteRefUpdate push(ObjectId revert, String target, ObjectId expectedOld) throws GitSourceException {
    GitRemote remote = mirror.remote();
    PushResult result = mirror.transports().run(mirror.repository(),
        "push the revert to " + Repository.shortenRefName(target) + " of " + remote.display(), t -> {
          RemoteRefUpdate u = new RemoteRefUpdate(mirror.repository(), null, revert, target, false, null, expectedOld);
          return t.push(NullProgressMonitor.INSTANCE, List.of(u));
        });
    return result.getRemoteUpdate(target);
  }

  private static String describe(RemoteRefUpdate u) {
    String msg = u.getMessage();
    return u.getStatus().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
        + (msg == null || msg.isBlank() ? "" : " (" + msg.strip() + ")");
  }

  /**
   * Refuses to push to a local non-bare repository whose working tree has the branch checked
   * out (as git's {@code receive.denyCurrentBranch}): its index and files would go stale.
   */
  private static void refuseCheckedOutBranch(GitRemote remote) throws RevertRefusedException {
    if (!remote.local()) {
      return;
    }
    File gitDir = RepositoryCache.FileKey.resolve(new File(remote.uri().getPath()), FS.DETECTED);
    if (gitDir == null) {
      return;
    }
    try (Repository r = new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build()) {
      if (!r.isBare() && remote.ref().equals(r.getFullBranch())) {
        throw new RevertRefusedException("branch " + remote.branch() + " is checked out in the working tree at "
            + r.getWorkTree() + "; pushing the revert there would leave that working tree stale. Roll back on the"
            + " repository it pushes to (a bare remote), or push the revert to a review branch.");
      }
    } catch (IOException e) {
      // Not readable as a repository here: the fetch reports it.
    }
  }

  static PersonIdent parseActor(String text) {
    String s = text.strip();
    if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("the author must be one line, \"Name <email>\"");
    }
    Matcher m = NAME_EMAIL.matcher(s);
    if (m.matches()) {
      if (m.group(1).isEmpty()) {
        throw new IllegalArgumentException("the author \"" + text + "\" has no name; write \"Name <email>\"");
      }
      return new PersonIdent(m.group(1), m.group(2).strip());
    }
    if (s.indexOf('<') >= 0 || s.indexOf('>') >= 0) {
      throw new IllegalArgumentException("the author \"" + text + "\" is not \"Name <email>\"");
    }
    return new PersonIdent(s, "");
  }

  static String format(PersonIdent p) {
    return p.getEmailAddress().isEmpty() ? p.getName() : p.getName() + " <" + p.getEmailAddress() + ">";
  }

  private static String abbrev(ObjectId id) {
    return Objects.requireNonNull(id).abbreviate(7).name();
  }
}
