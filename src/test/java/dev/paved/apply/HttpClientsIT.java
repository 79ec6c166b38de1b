package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

@RealCluster
class HttpClientsIT {

  @Test
  void theApiserverNegotiatesChachaWhenPavedOffersItFirst(KubernetesClient client) throws Exception {
    var config = client.getConfiguration();
    HttpClient http = HttpClient.newBuilder().sslContext(SSLUtils.sslContext(config))
        .sslParameters(HttpClients.sslParameters(config)).build();

    String base = config.getMasterUrl();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + (base.endsWith("/") ? "" : "/")
        + "version")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.sslSession()).get().extracting(s -> s.getCipherSuite())
        .isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
  }
}
