package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import org.junit.jupiter.api.Test;

class HttpClientsTest {

  @Test
  void chachaSuitesComeFirstAndNothingElseMovesOrGoes() {
    String[] suites = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};

    assertThat(HttpClients.chachaFirst(suites)).containsExactly("TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  }

  @Test
  void theClientsOfTheFactoryOfferChachaFirstWithTheConfigsTlsVersions() throws Exception {
    var config = new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").withTlsVersions(TlsVersion.TLS_1_3).build();

    var parameters = HttpClients.sslParameters(config);

    assertThat(parameters.getProtocols()).containsExactly("TLSv1.3");
    assertThat(parameters.getCipherSuites()[0]).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    try (var client = HttpClients.factory(config).newBuilder(config).build()) {
      // What the JDK client Fabric8 built really uses (Fabric8 sets its own parameters first).
      var getHttpClient = JdkHttpClientImpl.class.getDeclaredMethod("getHttpClient");
      getHttpClient.setAccessible(true);
      var jdk = (java.net.http.HttpClient) getHttpClient.invoke(client);
      assertThat(jdk.sslParameters().getProtocols()).containsExactly("TLSv1.3");
      assertThat(jdk.sslParameters().getCipherSuites()).startsWith("TLS_CHACHA20_POLY1305_SHA256")
          .containsExactlyInAnyOrder(parameters.getCipherSuites());
    }
  }
}
