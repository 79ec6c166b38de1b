package dev.paved.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/**
 * Trusted OpenPGP public keys, read from armored (or binary) key files with Bouncy Castle:
 * {@code gpg --export --armor KEYID > alice.asc}. A file may hold several keys.
 */
public final class OpenPgpKeys {

  private OpenPgpKeys() {}

  /**
   * One trusted key: its primary fingerprint (lower-case hex), the fingerprints of the primary
   * key and every subkey (a commit may be signed with a signing subkey), its user ids, and the
   * encoded key ring (for the keyring JGit's verifier reads).
   */
  public record Key(String fingerprint, List<String> fingerprints, List<String> userIds, byte[] encoded) {
    public Key {
      fingerprints = List.copyOf(fingerprints);
      userIds = List.copyOf(userIds);
      encoded = encoded.clone();
    }

    @Override
    public byte[] encoded() {
      return encoded.clone();
    }

    /** Whether {@code id} (a fingerprint, or a 16-digit key id when the signature carries no fingerprint) is this key's. */
    public boolean matches(String id) {
      String s = id.toLowerCase(Locale.ROOT);
      return fingerprints.stream().anyMatch(f -> s.length() == 16 ? f.endsWith(s) : f.equals(s));
    }

    /** The first user id, else the fingerprint. */
    public String name() {
      return userIds.isEmpty() ? fingerprint : userIds.get(0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.fingerprint.equals(fingerprint);
    }

    @Override
    public int hashCode() {
      return fingerprint.hashCode();
    }

    @Override
    public String toString() {
      return name() + " (" + fingerprint + ")";
    }
  }

  /** The file is missing, unreadable or holds no OpenPGP public key; the message says which. */
  public static final class InvalidKeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidKeyFileException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Whether {@code file} looks like an armored OpenPGP public key file (else it may be an allowed-signers file). */
  public static boolean looksArmored(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      String head = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).stripLeading();
      return head.startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    }
  }

  /** Reads every public key of {@code file}. */
  public static List<Key> read(Path file) throws InvalidKeyFileException {
    List<Key> keys = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
      PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      for (PGPPublicKeyRing ring : rings) {
        List<String> fingerprints = new ArrayList<>();
        List<String> userIds = new ArrayList<>();
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext();) {
          fingerprints.add(hex(it.next().getFingerprint()));
        }
        ring.getPublicKey().getUserIDs().forEachRemaining(userIds::add);
        keys.add(new Key(hex(ring.getPublicKey().getFingerprint()), fingerprints, userIds, ring.getEncoded()));
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidKeyFileException("OpenPGP key file " + file + " not found; export the key there (gpg --export"
          + " --armor KEYID > FILE) or fix the path", e);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new InvalidKeyFileException("cannot read OpenPGP public keys from " + file + ": " + e.getMessage()
          + "; export them with gpg --export --armor KEYID", e);
    }
    if (keys.isEmpty()) {
      throw new InvalidKeyFileException(file + " holds no OpenPGP public key; export one with gpg --export --armor"
          + " KEYID", null);
    }
    return keys;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
