package dev.paved.source;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
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
 * <p>This class is the command (its options, the fetch, push and retry); its parts: {@link
 * RevertMerge} is the revert itself (a tree), {@link RevertScope} the rules of a config repo in a
 * sub-directory (what a commit that also changes files outside it does), {@link RevertCommit} the
 * commit written and signed.
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
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      RevertMerge.Merged merged = new RevertMerge(commit, mainline, new RevertScope(remote.path(), pathOnly), remote)
          .merge(repo, inserter, tipId);
      ObjectId id = new RevertCommit(actor, reason, signingKey).write(repo, inserter, merged);
      return new Prepared(merged.reverted(), merged.tip(), id, merged.paths());
    } catch (IOException e) {
      throw new GitSourceException("cannot revert " + commit + " in the git mirror at " + mirror.directory() + ": "
          + e.getMessage(), e);
    }
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

  static String abbrev(ObjectId id) {
    return Objects.requireNonNull(id).abbreviate(7).name();
  }
}
