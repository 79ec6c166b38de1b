package dev.paved.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.source.CommitSignature;
import dev.paved.source.CommitSignatures;
import dev.paved.source.GitSource;
import dev.paved.source.OpenPgpKeys;
import dev.paved.source.TrustedSigners;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --verify-signatures KEYS} of {@code validate} and {@code diff}: the signature state of
 * a commit, as the daemon's {@code signatures.verify} would judge it with the same keys. KEYS are
 * armored OpenPGP public key files and/or SSH allowed-signers files (told apart by content).
 * Unreadable keys are a usage error; a commit that is not signed by a trusted key a finding.
 */
final class SignatureCheck {

  private SignatureCheck() {}

  static TrustedSigners keys(List<Path> files) {
    try {
      return TrustedSigners.read(files);
    } catch (OpenPgpKeys.InvalidKeyFileException e) {
      throw new UsageException("--verify-signatures: " + e.getMessage());
    }
  }

  /** The signature state of {@code revision} in the git repository {@code git} reads. */
  static CommitSignature verify(GitSource git, String revision, TrustedSigners keys) {
    try {
      return new CommitSignatures(keys).verify(git.repository(), git.resolve(revision).getName());
    } catch (dev.paved.source.GitSourceException e) {
      throw new UsageException(e.getMessage());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code signature of HEAD (1a2b3c4): signed by Alice <alice@example.com> (openpgp key ...)}. */
  static String line(String revision, CommitSignature s) {
    return "signature of " + revision + " (" + s.commit().substring(0, 7) + "): " + s.describe()
        + (s.trusted() ? "" : " [not trusted: a daemon with signatures.verify: enforce would not apply it]");
  }

  static void json(ObjectNode parent, String revision, CommitSignature s) {
    ObjectNode n = parent.putObject("signature");
    n.put("revision", revision);
    n.put("commit", s.commit());
    n.put("result", s.result());
    n.put("trusted", s.trusted());
    n.put("description", s.describe());
    if (s instanceof CommitSignature.Trusted t) {
      n.put("format", t.format()).put("signer", t.signer()).put("key", t.key());
    } else if (s instanceof CommitSignature.Untrusted u) {
      n.put("format", u.format()).put("signer", u.signer()).put("key", u.key());
    } else if (s instanceof CommitSignature.Bad b) {
      n.put("format", b.format());
    }
  }
}
