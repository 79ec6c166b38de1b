package dev.paved.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.GpgConfig.GpgFormat;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification;
import org.eclipse.jgit.lib.SignatureVerifier.TrustLevel;
import org.eclipse.jgit.lib.SignatureVerifiers;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Verifies a commit's signature against one repo's {@link TrustedSigners}, with JGit's own
 * verifiers: OpenPGP by {@code org.eclipse.jgit.gpg.bc} (Bouncy Castle; keys from
 * {@link OpenPgpKeyring}, trust decided here by the key's fingerprint), SSH by the verifier of
 * {@code org.eclipse.jgit.ssh.apache} (trust decided by JGit from each allowed-signers file, as
 * {@code git verify-commit} with {@code gpg.ssh.allowedSignersFile}).
 *
 * <pre>{@code
 * CommitSignature s = new CommitSignatures(TrustedSigners.read(List.of(Path.of("alice.asc")))).verify(repo, id);
 * }</pre>
 */
public final class CommitSignatures {

  private static final String OPENPGP = "openpgp";
  private static final String SSH = "ssh";
  private static final String NOT_TRUSTED_OPENPGP = "its key is not one of the repo's trusted OpenPGP keys";
  private static final String NOT_TRUSTED_SSH = "its key is not in the repo's SSH allowed signers";

  private final TrustedSigners trusted;

  public CommitSignatures(TrustedSigners trusted) {
    this.trusted = trusted;
    OpenPgpKeyring.add(trusted.openPgpKeys());
  }

  public TrustedSigners trusted() {
    return trusted;
  }

  /** The signature state of {@code commit} (a full commit id) in a mirror. */
  public CommitSignature verify(GitMirror mirror, String commit) throws GitSourceException {
    try {
      return verify(mirror.repository(), commit);
    } catch (IOException | IllegalArgumentException e) {
      throw new GitSourceException("cannot read commit " + commit + " in the git mirror at " + mirror.directory()
          + ": " + e.getMessage(), e);
    }
  }

  /** The signature state of {@code commit} (a full commit id) in {@code repo}. */
  public CommitSignature verify(Repository repo, String commit) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      return verify(repo, walk.parseCommit(ObjectId.fromString(commit)));
    }
  }

  /** The signature state of {@code commit} (parsed with its body). */
  public CommitSignature verify(Repository repo, RevCommit commit) throws IOException {
    String id = commit.name();
    byte[] raw = commit.getRawGpgSignature();
    if (raw == null) {
      return new CommitSignature.Unsigned(id);
    }
    GpgFormat format = SignatureVerifiers.getFormat(raw);
    if (format == GpgFormat.OPENPGP) {
      return openPgp(repo, commit);
    }
    if (format == GpgFormat.SSH) {
      return ssh(repo, commit);
    }
    return new CommitSignature.Bad(id, format == GpgFormat.X509 ? "x509" : "unknown", format == GpgFormat.X509
        ? "X.509 (S/MIME) signatures are not supported; sign with an OpenPGP or SSH key"
        : "not an OpenPGP or SSH signature");
  }

  private CommitSignature openPgp(Repository repo, RevCommit commit) throws IOException {
    String id = commit.name();
    SignatureVerification v;
    try {
      v = OpenPgpKeyring.verify(repo, commit);
    } catch (JGitInternalException e) {
      return new CommitSignature.Bad(id, OPENPGP, clean(e.getMessage()) + (e.getCause() == null ? ""
          : ": " + clean(e.getCause().getMessage())));
    }
    if (v == null) {
      return new CommitSignature.Bad(id, OPENPGP, "no OpenPGP verifier on the class path (org.eclipse.jgit.gpg.bc)");
    }
    // Verified means: checked with the ring's key whose fingerprint is the one the signature names.
    String fingerprint = v.keyFingerprint() == null ? "" : v.keyFingerprint();
    Optional<OpenPgpKeys.Key> key = trusted.openPgpKeys().stream().filter(k -> k.matches(fingerprint)).findFirst();
    if (key.isEmpty()) {
      return new CommitSignature.Untrusted(id, OPENPGP, clean(v.verified() ? first(v.keyUser(), v.signer())
          : v.signer()), fingerprint, NOT_TRUSTED_OPENPGP);
    }
    if (!v.verified()) {
      return v.message() == null
          ? new CommitSignature.Bad(id, OPENPGP, "the signature does not match the commit (key " + fingerprint + ")")
          : new CommitSignature.Untrusted(id, OPENPGP, clean(v.signer()), fingerprint, clean(v.message()));
    }
    if (v.expired()) {
      return new CommitSignature.Untrusted(id, OPENPGP, key.get().name(), fingerprint,
          "the key had expired when the commit was signed");
    }
    return new CommitSignature.Trusted(id, OPENPGP, clean(key.get().name()), fingerprint);
  }

  private CommitSignature ssh(Repository repo, RevCommit commit) throws IOException {
    String id = commit.name();
    List<Path> files = new ArrayList<>(trusted.sshAllowedSigners());
    if (files.isEmpty()) {
      files.add(null);
    }
    List<SignatureVerification> failed = new ArrayList<>();
    for (Path file : files) {
      Config c = new Config();
      c.setString("gpg", null, "format", "ssh");
      if (file != null) {
        c.setString("gpg", "ssh", "allowedSignersFile", file.toString());
      }
      SignatureVerification v;
      try {
        v = SignatureVerifiers.verify(repo, new GpgConfig(c), commit);
      } catch (JGitInternalException e) {
        return new CommitSignature.Bad(id, SSH, clean(e.getMessage()));
      }
      if (v == null) {
        return new CommitSignature.Bad(id, SSH, "no SSH signature verifier on the class path (org.eclipse.jgit.ssh.apache)");
      }
      if (v.verified()) {
        return new CommitSignature.Trusted(id, SSH, clean(first(v.keyUser(), "an allowed signer")), v.keyFingerprint());
      }
      failed.add(v);
    }
    // The same signature failed against every file: a mismatch fails alike everywhere.
    SignatureVerification v = failed.stream().filter(f -> f.expired() || f.trustLevel() != TrustLevel.UNKNOWN)
        .findFirst().orElse(failed.get(0));
    String fingerprint = v.keyFingerprint() == null ? "" : v.keyFingerprint();
    if (v.trustLevel() == TrustLevel.UNKNOWN) {
      return new CommitSignature.Untrusted(id, SSH, "", fingerprint, NOT_TRUSTED_SSH);
    }
    if (v.expired()) {
      return new CommitSignature.Untrusted(id, SSH, "", fingerprint, clean(v.message()));
    }
    return new CommitSignature.Bad(id, SSH, v.message() == null
        ? "the signature does not match the commit (key " + fingerprint + ")" : clean(v.message()));
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : b == null ? "" : b;
  }

  /** Text from a signature is the signer's to choose: one line, printable, bounded. */
  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("\\p{Cntrl}+", " ").strip();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }
}
