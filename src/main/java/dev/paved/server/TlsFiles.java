package dev.paved.server;

import dev.paved.secret.Scrubber;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The API's certificate and private key ({@code http.tls: {certFile, keyFile}}, PEM), read
 * together (by {@link WatchedFiles}, which reloads them when either changes: a renewed
 * certificate, a Kubernetes Secret's new version) so that a reload sees a matching pair. The
 * key's bytes are registered with the scrubber.
 */
final class TlsFiles {

  private TlsFiles() {}

  /** One read of both files. */
  record Pair(byte[] cert, byte[] key) {
    ServerSSLOptions sslOptions() {
      return new ServerSSLOptions().setKeyCertOptions(keyCert());
    }

    PemKeyCertOptions keyCert() {
      return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
    }
  }

  /** The pair from the two files' bytes (certificate first); whether it is usable, Vert.x says when it is used. */
  static Pair of(List<byte[]> contents) {
    byte[] key = contents.get(1);
    Scrubber.register(new String(key, StandardCharsets.UTF_8).strip());
    return new Pair(contents.get(0), key);
  }
}
