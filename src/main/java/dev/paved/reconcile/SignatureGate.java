package dev.paved.reconcile;

import dev.paved.source.CommitSignature;
import dev.paved.source.CommitSignatures;
import dev.paved.source.OpenPgpKeys;
import dev.paved.source.RevertSigningKey;
import dev.paved.source.TrustedSigners;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One repo's {@code signatures} policy at work: verifies a head commit with
 * {@link CommitSignatures}, says whether it is held ({@code enforce} and not trusted), and
 * remembers the reverts the daemon pushed itself ({@code trustOwnReverts}: by commit id, in
 * {@code <stateDir>/signatures/<repo>.own-reverts}, so they stay trusted after a restart).
 *
 * <p>With {@code revertSigningKeyFile}, the daemon's own public key is trusted through an
 * allowed-signers file Paved writes ({@code <stateDir>/signatures/revert-signer}, principal
 * {@value RevertSigningKey#PRINCIPAL}), read by JGit like the configured ones.
 */
final class SignatureGate {

  /** What the gate found for one commit; {@code hold}: it must not be applied. */
  record Verdict(CommitSignature signature, boolean ownRevert, boolean hold) {

    /** The status field. */
    DaemonStatus.Signature status() {
      CommitSignature s = signature;
      if (s instanceof CommitSignature.Trusted t) {
        return new DaemonStatus.Signature(t.commit(), t.result(), Optional.of(t.format()), Optional.of(t.signer()),
            Optional.of(t.key()), t.describe(), hold);
      }
      if (s instanceof CommitSignature.Untrusted u) {
        return new DaemonStatus.Signature(u.commit(), result(), Optional.of(u.format()), opt(u.signer()), opt(u.key()),
            describe(), hold);
      }
      if (s instanceof CommitSignature.Bad b) {
        return new DaemonStatus.Signature(b.commit(), result(), Optional.of(b.format()), Optional.empty(),
            Optional.empty(), describe(), hold);
      }
      return new DaemonStatus.Signature(s.commit(), result(), Optional.empty(), Optional.empty(), Optional.empty(),
          describe(), hold);
    }

    /** {@code unsigned}, {@code signed by ...}, or the own revert's note. */
    String describe() {
      return ownRevert ? signature.describe() + "; trusted as a revert this daemon pushed (trustOwnReverts)"
          : signature.describe();
    }

    /** The metric label: the signature's result, {@code trusted} for an own revert. */
    String result() {
      return ownRevert ? "trusted" : signature.result();
    }

    private static Optional<String> opt(String s) {
      return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
  }

  private final DaemonConfig.Repo repo;
  private final Path dir;
  private final Set<String> ownReverts = ConcurrentHashMap.newKeySet();
  private volatile CommitSignatures verifier;

  SignatureGate(DaemonConfig.Repo repo, Path stateDir) {
    this.repo = repo;
    this.dir = stateDir.resolve("signatures");
    if (repo.signatures().trustOwnReverts()) {
      try {
        Files.readAllLines(ownRevertsFile(), StandardCharsets.UTF_8).stream().map(String::strip)
            .filter(l -> l.matches("[0-9a-f]{40,64}")).forEach(ownReverts::add);
      } catch (IOException e) {
        // none recorded yet
      }
    }
  }

  boolean on() {
    return repo.signatures().verify() != DaemonConfig.Verify.OFF;
  }

  boolean enforce() {
    return repo.signatures().verify() == DaemonConfig.Verify.ENFORCE;
  }

  /** Verifies {@code commit} (fetched into {@code source}). */
  Verdict check(RepoSource source, String commit) throws Exception {
    CommitSignature s = source.signature(commit, verifier());
    boolean own = !s.trusted() && ownReverts.contains(commit);
    return new Verdict(s, own, enforce() && !s.trusted() && !own);
  }

  /** A revert this daemon pushed: trusted by id when the repo says {@code trustOwnReverts}. */
  void ownRevert(String commit) {
    if (!repo.signatures().trustOwnReverts() || commit == null || !ownReverts.add(commit)) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(ownRevertsFile(), commit + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(SignatureGate.class).warn("cannot record revert {} of repo {} in {}: {}"
          + " (it is trusted until the daemon restarts)", commit, repo.name(), dir, e.getMessage());
    }
  }

  private Path ownRevertsFile() {
    return dir.resolve(repo.name() + ".own-reverts");
  }

  private CommitSignatures verifier() throws Exception {
    CommitSignatures v = verifier;
    if (v == null) {
      synchronized (this) {
        if (verifier == null) {
          verifier = new CommitSignatures(trusted());
        }
        v = verifier;
      }
    }
    return v;
  }

  private TrustedSigners trusted() throws OpenPgpKeys.InvalidKeyFileException, IOException,
      RevertSigningKey.InvalidSigningKeyException {
    DaemonConfig.Signatures s = repo.signatures();
    List<OpenPgpKeys.Key> keys = new ArrayList<>();
    for (Path f : s.openPgpKeys()) {
      keys.addAll(OpenPgpKeys.read(f));
    }
    List<Path> allowed = new ArrayList<>(s.sshAllowedSigners());
    if (s.revertSigningKey().isPresent()) {
      RevertSigningKey own = RevertSigningKey.load(s.revertSigningKey().get());
      Files.createDirectories(dir);
      Path file = dir.resolve("revert-signer");
      Path tmp = Files.createTempFile(dir, "revert-signer", ".tmp");
      Files.writeString(tmp, own.allowedSignersLine() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      allowed.add(file.toAbsolutePath());
    }
    return new TrustedSigners(keys, allowed);
  }
}
