package dev.paved.source;

import java.nio.file.Path;
import java.util.List;

/**
 * Who is trusted to sign a repo's commits: OpenPGP public keys (from armored key files) and SSH
 * allowed-signers files (git's {@code gpg.ssh.allowedSignersFile} format, read by JGit and
 * re-read when they change).
 */
public record TrustedSigners(List<OpenPgpKeys.Key> openPgpKeys, List<Path> sshAllowedSigners) {

  public TrustedSigners {
    openPgpKeys = List.copyOf(openPgpKeys);
    sshAllowedSigners = List.copyOf(sshAllowedSigners);
  }

  public static TrustedSigners none() {
    return new TrustedSigners(List.of(), List.of());
  }

  /** These signers and {@code more}'s. */
  public TrustedSigners and(TrustedSigners more) {
    return new TrustedSigners(java.util.stream.Stream.concat(openPgpKeys.stream(), more.openPgpKeys.stream())
        .distinct().toList(), java.util.stream.Stream.concat(sshAllowedSigners.stream(),
            more.sshAllowedSigners.stream()).distinct().toList());
  }

  /**
   * Reads {@code files}: each is an armored OpenPGP public key file (it starts with {@code -----BEGIN
   * PGP PUBLIC KEY BLOCK-----}) or else an SSH allowed-signers file ({@link AllowedSignersFile#check}).
   */
  public static TrustedSigners read(List<Path> files) throws OpenPgpKeys.InvalidKeyFileException {
    List<OpenPgpKeys.Key> keys = new java.util.ArrayList<>();
    List<Path> allowed = new java.util.ArrayList<>();
    for (Path f : files) {
      boolean armored;
      try {
        armored = OpenPgpKeys.looksArmored(f);
      } catch (java.io.IOException e) {
        throw new OpenPgpKeys.InvalidKeyFileException("cannot read key file " + f + ": " + (e instanceof
            java.nio.file.NoSuchFileException ? "not found" : e.getMessage()), e);
      }
      if (armored) {
        keys.addAll(OpenPgpKeys.read(f));
      } else {
        AllowedSignersFile.check(f);
        allowed.add(f.toAbsolutePath().normalize());
      }
    }
    return new TrustedSigners(keys, allowed);
  }
}
