package dev.paved.cli;

import dev.paved.source.AuthenticationFailedException;
import dev.paved.source.BranchNotFoundException;
import dev.paved.source.CommitNotFoundException;
import dev.paved.source.Credentials;
import dev.paved.source.GitMirror;
import dev.paved.source.GitRemote;
import dev.paved.source.GitSourceException;
import dev.paved.source.NothingToRevertException;
import dev.paved.source.PushRejectedException;
import dev.paved.source.RemoteUnreachableException;
import dev.paved.source.RevertConflictException;
import dev.paved.source.RevertReason;
import dev.paved.source.RevertRefusedException;
import dev.paved.source.Reverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.eclipse.jgit.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved rollback --repo URL|PATH [--branch main] [--pr-branch NAME] COMMIT}: roll back by git revert. */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Roll back a change: revert COMMIT on the branch of a config repo and push",
        "the revert, or with --pr-branch push it to a new branch for review and leave",
        "the branch alone. The revert says what was reverted, by whom and why.",
        "A revert that conflicts pushes nothing. Works on a temporary bare copy of",
        "the branch: no checkout; your working trees are not touched. The same rules",
        "as the daemon's revert API: the reason is one line, and with --path a commit",
        "also changing files outside it is refused unless --path-only."},
    footer = {"", "Credentials come from environment variables or files, never from the",
        "command line or the URL.",
        "", "Exit codes: 0 reverted and pushed; 1 the revert conflicts, changes nothing",
        "or the push was refused (nothing pushed); 2 usage error (unknown repo, branch",
        "or commit, a merge commit without --mainline, a reason that is not one line,",
        "a commit touching files outside --path without --path-only, missing or",
        "refused credentials; nothing pushed); 3 internal error."})
final class RollbackCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "COMMIT",
      description = "The commit to revert: an id (abbreviated or full) or a revision such as main~1.")
  String commit;

  @Option(names = "--repo", required = true, paramLabel = "URL|PATH",
      description = "The remote config repo: https://, ssh://, user@host:path, file:// or a path.")
  String repo;

  @Option(names = "--branch", defaultValue = GitRemote.DEFAULT_BRANCH, paramLabel = "NAME",
      description = "The branch COMMIT is on (default: ${DEFAULT-VALUE}).")
  String branch;

  @Option(names = "--pr-branch", paramLabel = "NAME",
      description = "Push the revert to this new branch (for a pull request) instead of --branch.")
  String prBranch;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "Why, for the commit message: one line (no line breaks or other control characters), at most "
          + RevertReason.MAX_LENGTH + " characters.")
  String reason;

  @Option(names = "--author", paramLabel = "\"NAME <EMAIL>\"",
      description = "Who rolls back (the revert's author; default: Paved <paved@localhost>).")
  String author;

  @Option(names = "--path", paramLabel = "SUBDIR",
      description = {"The config repo's sub-directory in the git repo. A commit changing nothing there is",
          "refused; so is one also changing files outside it, unless --path-only."})
  String path;

  @Option(names = "--path-only",
      description = {"Revert only the part of COMMIT under --path and leave its other files as they are",
          "on the branch (the revert API's pathOnly)."})
  boolean pathOnly;

  @Option(names = {"-m", "--mainline"}, paramLabel = "N",
      description = "For a merge commit: the parent whose side is kept (1: the branch it was merged into).")
  int mainline;

  @Option(names = "--username", paramLabel = "NAME", description = "https user name (no secret).")
  String username;

  @Option(names = "--password-env", paramLabel = "VAR", description = "https password from this environment variable.")
  String passwordEnv;

  @Option(names = "--password-file", paramLabel = "FILE", description = "https password from this file.")
  Path passwordFile;

  @Option(names = "--token-env", paramLabel = "VAR", description = "https token from this environment variable.")
  String tokenEnv;

  @Option(names = "--token-file", paramLabel = "FILE", description = "https token from this file.")
  Path tokenFile;

  @Option(names = "--ssh-key", paramLabel = "FILE", description = "ssh private key (default: ~/.ssh/id_*).")
  Path sshKey;

  @Option(names = "--known-hosts", paramLabel = "FILE", description = "ssh known_hosts (default: ~/.ssh/known_hosts).")
  Path knownHosts;

  @Option(names = "--timeout", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION",
      description = "Network timeout (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    Optional<String> badReason = RevertReason.problem(reason);
    if (badReason.isPresent()) {
      throw new UsageException("--reason " + badReason.get() + "; nothing was reverted");
    }
    if (pathOnly && (path == null || path.isBlank())) {
      throw new UsageException("--path-only reverts only the part of the commit under --path; give --path SUBDIR");
    }
    GitRemote remote;
    Reverter.Result result;
    try {
      remote = new GitRemote(repo, branch, path, new Credentials(username, null, passwordEnv, passwordFile, tokenEnv,
          tokenFile, sshKey, knownHosts), timeout);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    Path state = Files.createTempDirectory("paved-rollback-");
    try (GitMirror mirror = GitMirror.open(state, "remote", remote)) {
      result = mirror.revert(commit).setActor(author).setReason(reason).setPrBranch(prBranch)
          .setMainlineParent(mainline).setPathOnly(pathOnly).call();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    } catch (RevertConflictException | NothingToRevertException | PushRejectedException e) {
      err.println("paved: " + e.getMessage());
      return ExitCodes.FINDINGS;
    } catch (CommitNotFoundException | BranchNotFoundException | RemoteUnreachableException
        | AuthenticationFailedException | RevertRefusedException e) {
      throw new UsageException(e.getMessage());
    } catch (GitSourceException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      delete(state);
    }
    print(remote, result, spec.commandLine().getOut());
    return ExitCodes.OK;
  }

  private void print(GitRemote remote, Reverter.Result r, PrintWriter out) {
    out.println("Reverted " + r.reverted().substring(0, 7) + " \"" + r.subject() + "\" on " + r.branch() + " of "
        + remote.display());
    out.println("  revert commit " + r.revertCommit() + " by " + r.author());
    for (String p : r.paths()) {
      out.println("  reverts " + p);
    }
    if (r.reviewBranch()) {
      out.println("Pushed to new branch " + r.pushedTo() + "; " + r.branch() + " is unchanged. Open a pull request from "
          + r.pushedTo() + " into " + r.branch() + " to roll back.");
    } else {
      out.println("Pushed to " + r.pushedTo() + ".");
    }
  }

  private static void delete(Path dir) {
    try {
      FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
    } catch (IOException e) {
      // A temporary directory; the OS cleans it eventually.
    }
  }
}
