package dev.paved.reconcile;

import dev.paved.source.AuthenticationFailedException;
import dev.paved.source.CommitNotFoundException;
import dev.paved.source.ConfigTree;
import dev.paved.source.GitMirror;
import dev.paved.source.GitRemote;
import dev.paved.source.GitSourceException;
import dev.paved.source.PushRejectedException;
import dev.paved.source.RemoteUnreachableException;
import dev.paved.source.RevertConflictException;
import dev.paved.source.RevertRefusedException;
import dev.paved.source.Reverter;
import java.nio.file.Path;

/**
 * The daemon's {@link RepoSource} over {@link GitMirror} (incremental fetch into a bare mirror
 * under {@code <stateDir>/repos/<name>.git}) and {@link Reverter}.
 */
final class MirrorSource implements RepoSource {

  private final GitMirror mirror;
  private final Path signingKey;

  private MirrorSource(GitMirror mirror, Path signingKey) {
    this.mirror = mirror;
    this.signingKey = signingKey;
  }

  /** The git side of {@code repo}, built from its daemon config. */
  static RepoSource open(DaemonConfig.Repo repo, Path stateDir) throws GitSourceException {
    return new MirrorSource(GitMirror.open(stateDir, repo.name(), remote(repo)),
        repo.signatures().revertSigningKey().orElse(null));
  }

  /** The {@link GitRemote} of a configured repo; throws IllegalArgumentException when it cannot be one. */
  static GitRemote remote(DaemonConfig.Repo repo) {
    return GitRemote.of(repo.url()).withBranch(repo.branch()).withPath(repo.path())
        .withCredentials(repo.credentials());
  }

  @Override
  public String fetch() throws GitSourceException {
    return mirror.fetch().head();
  }

  @Override
  public ConfigTree read(String commit) throws GitSourceException {
    return mirror.read(commit);
  }

  @Override
  public boolean isAncestor(String ancestor, String commit) throws GitSourceException {
    return mirror.isAncestor(ancestor, commit);
  }

  @Override
  public dev.paved.source.CommitSignature signature(String commit, dev.paved.source.CommitSignatures verifier)
      throws GitSourceException {
    return verifier.verify(mirror, commit);
  }

  @Override
  public java.util.List<dev.paved.source.CommitInfo> log(String head, int max) throws GitSourceException {
    return mirror.log(head, max);
  }

  @Override
  public DaemonApi.RevertOutcome revert(DaemonApi.RevertRequest request) {
    try {
      Reverter.Result r = mirror.revert(request.commit()).setActor(request.author()).setReason(request.reason())
          .setPathOnly(request.pathOnly())
          .setPrBranch(request.reviewBranch().orElse(null))
          .setSigningKey(signingKey == null ? null : signingKey.toAbsolutePath()).call();
      return new DaemonApi.RevertOutcome(r.revertCommit(), r.pushedTo(), r.reverted(), r.reviewBranch(), r.paths());
    } catch (CommitNotFoundException e) {
      throw new DaemonFailure(DaemonFailure.Kind.UNKNOWN_COMMIT, e.getMessage(), e);
    } catch (RevertConflictException | PushRejectedException e) {
      throw new DaemonFailure(DaemonFailure.Kind.CONFLICT, e.getMessage(), e);
    } catch (RevertRefusedException e) {
      throw new DaemonFailure(DaemonFailure.Kind.INVALID, e.getMessage(), e);
    } catch (RemoteUnreachableException | AuthenticationFailedException e) {
      throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, e.getMessage(), e);
    } catch (GitSourceException e) {
      throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new DaemonFailure(DaemonFailure.Kind.INVALID, e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    mirror.close();
  }
}
