package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@link SpecReader} is a fast path beside Jackson's record binding: where it reads a tree, it
 * must build exactly what Jackson builds.
 */
class SpecReaderTest {

  private static final ObjectMapper JACKSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  @Test
  void readsEveryFieldExactlyAsJacksonBindsIt() throws Exception {
    // A merged tree as Workloads hands it over (scalars of variables kept as text).
    JsonNode tree = JACKSON.readTree("""
        {"apiVersion":"paved.dev/v1alpha1","kind":"Service","team":"storefront","description":"Catalog",
         "links":{"docs":"https://d","runbook":"https://r","dashboard":"https://g","source":"https://s"},
         "labels":{"cost-center":"cc-1"},"environments":["dev","prod"],
         "image":{"repository":"registry.example.com/catalog","tag":"1.2.0"},
         "command":["/app"],"args":["--port","8080"],
         "ports":[{"name":"http","port":8080},{"name":"grpc","port":9090,"protocol":"TCP"}],
         "variables":{"HTTP_PORT":"8080","DB_PASSWORD":{"secret":{"name":"db","key":"password"}},
                      "FLAGS":{"configMap":{"name":"flags","key":"all"}}},
         "resources":{"requests":{"cpu":"200m","memory":"512Mi"},"limits":{"memory":"768Mi"}},
         "probes":{"liveness":{"http":{"path":"/healthz","port":"http"},"periodSeconds":10},
                   "readiness":{"exec":{"command":["/bin/check"]},"periodSeconds":5,"timeoutSeconds":3},
                   "startup":{"tcp":{"port":"grpc"},"initialDelaySeconds":2}},
         "replicas":3,
         "autoscaling":{"minReplicas":2,"maxReplicas":6,"targetCPUUtilizationPercentage":70},
         "route":{"host":"catalog.example.com","path":"/","port":"http","ingressClassName":"nginx","tlsSecret":"tls"},
         "ignoreDifferences":[{"kind":"Deployment","jsonPointers":["/spec/replicas"]}]}
        """);
    ServiceSpec fast = SpecReader.read(tree);
    assertThat(fast).isNotNull().isEqualTo(JACKSON.treeToValue(tree, ServiceSpec.class));
  }

  @Test
  void leavesWhatItDoesNotKnowToJackson() throws Exception {
    JsonNode unknown = JACKSON.readTree("{\"team\":\"a\",\"replica\":2}");
    JsonNode numberAsText = JACKSON.readTree("{\"team\":\"a\",\"description\":7}");
    assertThat(SpecReader.read(unknown)).isNull();
    assertThat(SpecReader.read(numberAsText)).isNull();
  }
}
