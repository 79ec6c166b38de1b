package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.ObjectKey;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ListedLiveState} answers what a GET per object answers, from one LIST per kind and namespace. */
@RealCluster
class ListedLiveStateIT {

  private static ObjectKey configMap(String ns, String name) {
    return new ObjectKey("v1", "ConfigMap", ns, name);
  }

  @Test
  void answersLikeAGetPerObject(KubernetesClient client) {
    String ns = client.getNamespace();
    // More than two pages (10 here) of ConfigMaps, none of them labelled as Paved's: a LIST sees them as a GET does.
    for (int i = 0; i < 25; i++) {
      client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i)
          .endMetadata().addToData("i", Integer.toString(i)).build()).create();
    }
    List<ObjectKey> planned = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      planned.add(configMap(ns, "cm-" + i)); // the last five do not exist
    }
    planned.add(new ObjectKey("v1", "Namespace", null, ns));
    planned.add(new ObjectKey("v1", "Namespace", null, "default"));
    ListedLiveState listed = new ListedLiveState(client, planned, 10);
    DirectLiveState direct = new DirectLiveState(client);

    for (ObjectKey k : planned) {
      assertThat(listed.get(k).map(t -> t.path("metadata").path("name").asText()))
          .as(k.toString()).isEqualTo(direct.get(k).map(t -> t.path("metadata").path("name").asText()));
    }
    assertThat(listed.get(configMap(ns, "cm-24")).orElseThrow().path("data").path("i").asText()).isEqualTo("24");
    assertThat(listed.get(configMap(ns, "cm-24")).orElseThrow().path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(listed.get(configMap(ns, "cm-27"))).isEmpty();
    // Planned objects are answered from the list read once, not with a request each.
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm-27")
        .endMetadata().build()).create();
    assertThat(listed.get(configMap(ns, "cm-27"))).isEmpty();
    assertThat(direct.get(configMap(ns, "cm-27"))).isPresent();
    // Not planned (a prune): read with a GET, so seen even though listed before it existed.
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("late")
        .endMetadata().build()).create();
    assertThat(listed.get(configMap(ns, "late"))).isPresent();
  }
}
