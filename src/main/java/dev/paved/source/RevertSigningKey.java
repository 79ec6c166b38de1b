package dev.paved.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The SSH key the daemon signs its own reverts with ({@code revertSigningKeyFile}): an
 * unencrypted OpenSSH private key, read with Apache MINA sshd; {@link Reverter} signs with
 * JGit's SSH signer. Its public half is what repos trust for those reverts.
 */
public record RevertSigningKey(Path file, String publicKey) {

  /** The principal the daemon's own key has in the allowed-signers line Paved writes for it. */
  public static final String PRINCIPAL = "paved";

  /** The key is missing, encrypted or not an SSH private key; the message says which. */
  public static final class InvalidSigningKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidSigningKeyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads the private key at {@code file} (its secret is never kept, only checked) and derives its public key. */
  public static RevertSigningKey load(Path file) throws InvalidSigningKeyException {
    try (InputStream in = Files.newInputStream(file)) {
      List<KeyPair> pairs = new ArrayList<>();
      Iterable<KeyPair> found = SecurityUtils.loadKeyPairIdentities(null, new PathResource(file), in, null);
      if (found != null) {
        found.forEach(pairs::add);
      }
      if (pairs.isEmpty()) {
        throw new InvalidSigningKeyException(notAKey(file), null);
      }
      if (pairs.size() > 1) {
        throw new InvalidSigningKeyException("the signing key file " + file + " holds " + pairs.size()
            + " keys; give a file with one SSH private key", null);
      }
      return new RevertSigningKey(file, PublicKeyEntry.toString(pairs.iterator().next().getPublic()));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidSigningKeyException("the signing key file " + file + " does not exist", e);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new InvalidSigningKeyException(notAKey(file), e);
    }
  }

  private static String notAKey(Path file) {
    return "the signing key file " + file + " is not an unencrypted OpenSSH private key (make one with ssh-keygen -t"
        + " ed25519 -N '' -f FILE)";
  }

  /** The allowed-signers line that trusts this key for git commits. */
  public String allowedSignersLine() {
    return PRINCIPAL + " namespaces=\"git\" " + publicKey;
  }
}
