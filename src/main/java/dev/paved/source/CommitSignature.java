package dev.paved.source;

import java.util.Locale;

/**
 * The signature state of one commit, as {@link CommitSignatures} found it. {@code commit} is the
 * full id; {@code format} {@code openpgp} or {@code ssh}; {@code signer} who signed (an OpenPGP
 * user id, or the principals of an SSH allowed-signers entry; for an untrusted key what the
 * signature claims, if anything); {@code key} the key's fingerprint.
 */
public sealed interface CommitSignature {

  String commit();

  /** {@code unsigned}, {@code trusted}, {@code untrusted} or {@code bad} (metric label, status field). */
  default String result() {
    return getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** Signed by a trusted key, and the signature matches the commit. */
  default boolean trusted() {
    return this instanceof Trusted;
  }

  /** One line for status and logs, e.g. {@code unsigned} or {@code signed by an untrusted key SHA256:...}. */
  String describe();

  /** No signature at all. */
  record Unsigned(String commit) implements CommitSignature {
    @Override
    public String describe() {
      return "unsigned";
    }
  }

  /** A good signature by a trusted key. */
  record Trusted(String commit, String format, String signer, String key) implements CommitSignature {
    @Override
    public String describe() {
      return "signed by " + signer + " (" + format + " key " + key + ")";
    }
  }

  /** A signature by a key the repo does not trust (or that is expired or not allowed for git), or one Paved cannot check against a trusted key. */
  record Untrusted(String commit, String format, String signer, String key, String reason) implements CommitSignature {
    @Override
    public String describe() {
      return "signed by an untrusted " + format + " key " + (key == null || key.isEmpty() ? "" : key + " ")
          + (signer == null || signer.isEmpty() ? "" : "(" + signer + ") ") + "— " + reason;
    }
  }

  /** A signature that does not match the commit, or cannot be read. */
  record Bad(String commit, String format, String reason) implements CommitSignature {
    @Override
    public String describe() {
      return "bad " + format + " signature: " + reason;
    }
  }
}
