package dev.paved.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.lib.SignatureVerifier;
import org.eclipse.jgit.lib.SignatureVerifiers;

/**
 * The keyring JGit's OpenPGP verifier ({@code org.eclipse.jgit.gpg.bc}) reads public keys from.
 *
 * <p>JGit looks keys up in one GnuPG home per JVM ({@code jgit.gpg.home}, else {@code GNUPGHOME},
 * else {@code ~/.gnupg}), fixed when it is first used; it cannot be handed a key set per call.
 * So Paved gives it a home of its own: a private temporary directory whose {@code pubring.gpg}
 * holds exactly the public keys some repo's config trusts (never the user's keyring), set before
 * JGit's key locator first runs. JGit checks the signature against the key whose fingerprint the
 * signature names ({@link #verify}); {@link CommitSignatures} then decides trust per repo by that
 * fingerprint. Keys are only ever added (a key one repo stops trusting stays in the ring,
 * untrusted for it).
 */
final class OpenPgpKeyring {

  static final String PROPERTY = "jgit.gpg.home";
  private static final Map<String, byte[]> KEYS = new LinkedHashMap<>();
  private static Path home;

  private OpenPgpKeyring() {}

  /** The directory; created (and JGit pointed at it) on first use. */
  static synchronized Path home() {
    if (home == null) {
      try {
        Path dir = Files.createTempDirectory("paved-openpgp-");
        String previous = System.getProperty(PROPERTY);
        if (previous != null && !previous.isBlank()) {
          org.slf4j.LoggerFactory.getLogger(OpenPgpKeyring.class).warn("{} was set to {}; Paved verifies OpenPGP"
              + " signatures with its own keyring at {} instead", PROPERTY, previous, dir);
        }
        System.setProperty(PROPERTY, dir.toString());
        Files.write(dir.resolve("pubring.gpg"), new byte[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "paved-openpgp-keyring-cleanup"));
        home = dir;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the OpenPGP keyring directory: " + e.getMessage(), e);
      }
    }
    return home;
  }

  private static void delete(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a temp dir: the OS cleans it eventually
    }
  }

  /** Adds {@code keys} to the ring (a no-op for keys it holds). */
  static synchronized void add(Collection<OpenPgpKeys.Key> keys) {
    Path dir = home();
    boolean changed = false;
    for (OpenPgpKeys.Key k : keys) {
      changed |= KEYS.putIfAbsent(k.fingerprint(), k.encoded()) == null;
    }
    if (!changed) {
      return;
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    KEYS.values().forEach(all::writeBytes);
    try {
      Path tmp = Files.createTempFile(dir, "pubring", ".tmp");
      Files.write(tmp, all.toByteArray());
      Files.move(tmp, dir.resolve("pubring.gpg"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the OpenPGP keyring in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Verifies {@code commit}'s OpenPGP signature with JGit's verifier, its key looked up in the
   * ring afresh. JGit's verifier is one per JVM and remembers keys by fingerprint and by signer
   * name: a key remembered by name could check a signature that names another key's
   * fingerprint. Cleared before each call (and calls serialized), a verified signature was
   * checked with the key whose fingerprint it names.
   */
  static synchronized SignatureVerification verify(Repository repo, RevCommit commit) throws IOException {
    home();
    SignatureVerifier v = SignatureVerifiers.get(GpgConfig.GpgFormat.OPENPGP);
    if (v == null) {
      return null;
    }
    v.clear();
    try {
      return SignatureVerifiers.verify(repo, new GpgConfig(new Config()), commit);
    } finally {
      v.clear();
    }
  }
}
