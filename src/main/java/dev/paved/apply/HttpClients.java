package dev.paved.apply;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK HTTP client factory Paved's Kubernetes clients use: Fabric8's, with the
 * ChaCha20-Poly1305 cipher suites offered first. Paved runs with the C1 JIT only (see
 * {@code scripts/paved}), and C1 has no AES-GCM intrinsics: the JDK's AES-GCM then runs at about
 * 50 MB/s, ChaCha20-Poly1305 at about 190 MB/s on this kind of machine. A sync of 1,000
 * services moves ~30 MB of TLS records (applies, watch events). Every other suite stays offered,
 * in the JDK's order, so a server without ChaCha20 negotiates what it did before; Go servers
 * (kube-apiserver) honour a client that lists ChaCha20 first.
 */
public final class HttpClients {

  private HttpClients() {}

  /** A factory for clients of {@code config} (its TLS versions are kept). */
  public static JdkHttpClientFactory factory(Config config) {
    return new PavedHttpClientFactory(sslParameters(config));
  }

  /** Named, because Fabric8 names the client's executor threads after the factory's class. */
  private static final class PavedHttpClientFactory extends JdkHttpClientFactory {
    private final SSLParameters parameters;

    PavedHttpClientFactory(SSLParameters parameters) {
      this.parameters = parameters;
    }

    @Override
    protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
      // Fabric8 has set SSLParameters(null suites, its TLS versions) just before: replace them
      // with the same versions and the reordered suites.
      builder.sslParameters(parameters);
    }
  }

  /** The JDK's default suites with the ChaCha20 ones first, and {@code config}'s TLS versions. */
  static SSLParameters sslParameters(Config config) {
    TlsVersion[] versions = config.getTlsVersions();
    String[] protocols = versions == null || versions.length == 0 ? null
        : Arrays.stream(versions).map(TlsVersion::javaName).toArray(String[]::new);
    return new SSLParameters(chachaFirst(defaultSuites()), protocols);
  }

  /** {@code suites} with the CHACHA20 ones first, each group in its given order. */
  static String[] chachaFirst(String[] suites) {
    List<String> first = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String s : suites) {
      (s.contains("CHACHA20") ? first : rest).add(s);
    }
    first.addAll(rest);
    return first.toArray(String[]::new);
  }

  private static String[] defaultSuites() {
    try {
      return SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
  }
}
