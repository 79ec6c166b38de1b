package dev.paved.server;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Constant-time comparisons of tokens and signatures. Never logs what it compares. */
final class Secrets {

  private Secrets() {}

  /**
   * Whether {@code given} equals {@code expected}, in time independent of where they differ and
   * of their lengths (both are hashed first, then compared with {@link MessageDigest#isEqual}).
   */
  static boolean equal(String given, String expected) {
    if (given == null || expected == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(given.getBytes(StandardCharsets.UTF_8)),
        sha256(expected.getBytes(StandardCharsets.UTF_8)));
  }

  /** Lower-case hex HMAC-SHA256 of {@code body} keyed with {@code secret}. */
  static String hmacSha256Hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
