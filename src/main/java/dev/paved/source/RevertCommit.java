package dev.paved.source;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.Signers;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The revert's commit: on the branch's tip, authored by whoever rolls back, committed by {@link
 * Reverter#PAVED}, with {@code git revert}'s message plus who rolled back and why, and signed by
 * JGit's SSH signer when a key is given ({@link RevertSigningKey}). Written into the object
 * database, on no ref.
 */
final class RevertCommit {

  private final PersonIdent actor;
  private final String reason;
  private final Path signingKey;

  /** {@code reason}: null when none is given; {@code signingKey}: null for an unsigned commit. */
  RevertCommit(PersonIdent actor, String reason, Path signingKey) {
    this.actor = actor;
    this.reason = reason;
    this.signingKey = signingKey;
  }

  /** Writes (and signs) the commit of {@code merged}; its id. */
  ObjectId write(Repository repo, ObjectInserter inserter, RevertMerge.Merged merged)
      throws GitSourceException, IOException {
    Instant now = Instant.now();
    CommitBuilder cb = new CommitBuilder();
    cb.setTreeId(merged.tree());
    cb.setParentId(merged.tip());
    cb.setAuthor(new PersonIdent(actor, now, ZoneId.systemDefault()));
    cb.setCommitter(new PersonIdent(Reverter.PAVED, now, ZoneId.systemDefault()));
    cb.setMessage(message(merged.reverted(), merged.parent()));
    sign(repo, cb);
    ObjectId id = inserter.insert(cb);
    inserter.flush();
    return id;
  }

  /** {@code git revert}'s message for reverting {@code target} back to {@code parent}, then who and why. */
  String message(RevCommit target, RevCommit parent) {
    StringBuilder m = new StringBuilder();
    m.append("Revert \"").append(target.getShortMessage()).append("\"\n\n");
    m.append("This reverts commit ").append(target.name());
    if (target.getParentCount() > 1) {
      m.append(", reversing\nchanges made to ").append(parent.name());
    }
    m.append(".\n\nRolled back by ").append(Reverter.format(actor)).append(" with paved");
    m.append(reason == null ? ".\n" : ": " + reason + "\n");
    return m.toString();
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
    } catch (IOException | GitAPIException | RuntimeException e) {
      throw new GitSourceException("cannot sign the revert with the key in " + signingKey + ": " + e.getMessage()
          + ". Nothing was pushed.", e);
    }
  }
}
