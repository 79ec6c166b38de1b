package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;

class CompactItemStoreTest {

  /** A Deployment as the apiserver answers it: managed fields, quantities, status, numbers, nulls. */
  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-prod",
       "uid":"0d8e4c2a-1","resourceVersion":"%s","generation":3,"creationTimestamp":"2026-12-02T10:00:00Z",
       "labels":{"app.kubernetes.io/managed-by":"paved","paved.dev/environment":"prod"},
       "annotations":{"paved.dev/source-commit":"abc"},
       "managedFields":[{"manager":"paved","operation":"Apply","apiVersion":"apps/v1","time":"2026-12-02T10:00:00Z",
         "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":
         {"k:{\\"name\\":\\"app\\"}":{".":{},"f:image":{}}}}}}}}]},
       "spec":{"replicas":2,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,"paused":false,
        "selector":{"matchLabels":{"app":"api"}},
        "template":{"metadata":{"labels":{"app":"api"},"creationTimestamp":null},"spec":{"containers":[{"name":"app",
         "image":"registry.example.com/api:1.2.3","resources":{"requests":{"cpu":"500m","memory":"1Gi"},
         "limits":{"memory":"2Gi"}},"ports":[{"containerPort":8080,"protocol":"TCP"}],
         "env":[{"name":"RATIO","value":"0.5"}]}],"terminationGracePeriodSeconds":30}}},
       "status":{"observedGeneration":3,"replicas":2,"conditions":[{"type":"Available","status":"True"}]}}""";

  private static GenericKubernetesResource live(String resourceVersion) {
    return Manifests.serialization().unmarshal(DEPLOYMENT.formatted(resourceVersion), GenericKubernetesResource.class);
  }

  @Test
  void keepsWholeObjectsAndAnswersTheirTreeAndResourceVersion() {
    CompactItemStore store = new CompactItemStore();
    GenericKubernetesResource v1 = live("41");
    String key = store.getKey(v1);

    assertThat(key).isEqualTo("shop-prod/api");
    assertThat(store.put(key, v1)).as("nothing before").isNull();
    // the tree the engine compares is the one the object converts to (the same JSON; a number may
    // be an int node where the typed metadata made a long one, which comparisons do not tell apart)
    assertThat(store.tree(key).toString()).isEqualTo(Manifests.toTree(v1).toString());
    assertThat(Comparison.sameContent(store.tree(key), Manifests.toTree(v1))).isTrue();
    assertThat(store.get(key)).isEqualTo(v1);
    assertThat(store.resourceVersion(key)).isEqualTo("41");

    GenericKubernetesResource previous = store.put(key, live("42"));
    // what the informer compares and indexes by
    assertThat(previous.getMetadata().getResourceVersion()).isEqualTo("41");
    assertThat(previous.getMetadata().getNamespace()).isEqualTo("shop-prod");
    assertThat(previous.getMetadata().getName()).isEqualTo("api");
    assertThat(store.resourceVersion(key)).isEqualTo("42");
    assertThat(store.values()).containsExactly(live("42"));
    assertThat(store.keySet()).containsExactly(key);
    assertThat(store.size()).isEqualTo(1);

    assertThat(store.remove(key).getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(store.get(key)).isNull();
    assertThat(store.tree(key)).isNull();
    assertThat(store.resourceVersion(key)).isNull();
    assertThat(store.remove(key)).isNull();
  }

  @Test
  void aTreeIsTheCallersToChange() {
    CompactItemStore store = new CompactItemStore();
    store.put("shop-prod/api", live("7"));
    store.tree("shop-prod/api").put("kind", "Changed");

    assertThat(store.tree("shop-prod/api").path("kind").asText()).isEqualTo("Deployment");
  }
}
