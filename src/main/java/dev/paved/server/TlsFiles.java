package dev.paved.server;

import dev.paved.secret.Scrubber;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;

/**
 * The API's certificate and private key ({@code http.tls: {certFile, keyFile}}, PEM), read
 * together so that a reload sees a matching pair. The key's bytes are registered with the
 * scrubber. Which pair was read last is told by a digest of both files, so that a reload
 * happens only when either changed (a renewed certificate, a Kubernetes Secret's new version).
 */
final class TlsFiles {

  /** Where the PEM files are and how often they are checked for a change. */
  record Settings(Path certFile, Path keyFile, Duration reloadInterval) {}

  /** One read of both files. */
  record Pair(byte[] cert, byte[] key, byte[] digest) {
    ServerSSLOptions sslOptions() {
      return new ServerSSLOptions().setKeyCertOptions(keyCert());
    }

    PemKeyCertOptions keyCert() {
      return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
    }

    boolean sameAs(byte[] other) {
      return other != null && Arrays.equals(digest, other);
    }
  }

  private final Settings settings;

  TlsFiles(Settings settings) {
    this.settings = settings;
  }

  Settings settings() {
    return settings;
  }

  /** Reads both files (blocking: never on the event loop once serving). */
  Pair read() throws IOException {
    byte[] cert = Files.readAllBytes(settings.certFile());
    byte[] key = Files.readAllBytes(settings.keyFile());
    Scrubber.register(new String(key, java.nio.charset.StandardCharsets.UTF_8).strip());
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(cert);
      md.update((byte) 0);
      md.update(key);
      return new Pair(cert, key, md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
