package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.testing.Await;
import io.vertx.core.Vertx;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over TLS ({@code http.tls}) with certificates generated here (Bouncy Castle), on a real
 * Vert.x server on loopback: HTTPS answers with the configured certificate, and a new pair
 * written to the files is served without a restart (Vert.x's {@code updateSSLOptions}); a broken
 * pair keeps the current one.
 */
class TlsTest {

  @TempDir
  Path tmp;
  Vertx vertx;
  FakeDaemon daemon = new FakeDaemon();

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void servesHttpsWithTheGivenCertificateAndReloadsItWhenTheFilesChange() throws Exception {
    Path cert = tmp.resolve("tls.crt");
    Path key = tmp.resolve("tls.key");
    X509Certificate first = write(cert, key, "paved-first", 1);
    vertx = Vertx.vertx();
    ApiServer api = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.of("tok-tls-0123456789"))
        .withTls(new ApiServer.Tls(cert, key, Duration.ofMillis(200))))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(served(api.port()).getSerialNumber()).isEqualTo(first.getSerialNumber());
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(first)).version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port()
        + "/api/v1/status")).header("Authorization", "Bearer tok-tls-0123456789").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"repos\"");
    // Plain HTTP on the TLS port gets no answer.
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + api.port() + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);

    // A renewed certificate: served without a restart.
    X509Certificate second = write(cert, key, "paved-second", 2);
    Await.await(Duration.ofSeconds(30), "the new certificate is served",
        () -> served(api.port()).getSerialNumber().equals(second.getSerialNumber()));
    HttpClient https2 = HttpClient.newBuilder().sslContext(trusting(second)).version(HttpClient.Version.HTTP_1_1).build();
    assertThat(https2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    // A broken pair (a key that is not PEM) keeps the current certificate.
    Files.writeString(key, "not a key\n");
    Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.from(Instant.now()));
    HttpRequest status = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port() + "/api/v1/status"))
        .header("Authorization", "Bearer tok-tls-0123456789").build();
    Await.await(Duration.ofSeconds(30), "the refused pair shows in the status", () -> {
      try {
        return https2.send(status, HttpResponse.BodyHandlers.ofString()).body().contains("\"ok\":false");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    com.fasterxml.jackson.databind.JsonNode tls = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        https2.send(status, HttpResponse.BodyHandlers.ofString()).body()).path("api").path("files").get(0);
    assertThat(tls.path("name").asText()).isEqualTo("tls");
    assertThat(tls.path("error").asText()).isNotBlank().doesNotContain("not a key");
    assertThat(https2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).contains("paved_api_file_reload_failing{file=\"tls\"} 1.0");
    for (int i = 0; i < 5; i++) {
      assertThat(served(api.port()).getSerialNumber()).isEqualTo(second.getSerialNumber());
    }
  }

  @Test
  void aMissingCertificateFileFailsTheStartWithItsName() throws Exception {
    vertx = Vertx.vertx();
    var start = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.empty())
        .withTls(new ApiServer.Tls(tmp.resolve("missing.crt"), tmp.resolve("missing.key"))))
        .toCompletionStage().toCompletableFuture();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start.get(20, TimeUnit.SECONDS))
        .hasMessageContaining("cannot read the TLS certificate or key (http.tls)").hasMessageContaining("missing.crt");
  }

  /** The certificate the server presents, trusting anything (the test checks which one it is). */
  private static X509Certificate served(int port) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
        s.setSoTimeout(30000);
        s.startHandshake();
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(X509Certificate cert) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("paved", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** A self-signed certificate for 127.0.0.1 and localhost, and its key, written as PEM. */
  private static X509Certificate write(Path certFile, Path keyFile, String cn, long serial) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair pair = gen.generateKeyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + cn), BigInteger.valueOf(serial),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + cn),
        pair.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    Files.writeString(certFile, pem(cert));
    Files.writeString(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null)));
    return cert;
  }

  private static String pem(Object o) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
    return w.toString();
  }
}
