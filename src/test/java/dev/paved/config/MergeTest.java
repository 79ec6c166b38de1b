package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeTest {

  private static YamlDocument doc(String file, String text) {
    YamlReader.Result r = YamlReader.read(file, text.getBytes(StandardCharsets.UTF_8));
    assertThat(r.diagnostics()).isEmpty();
    return r.documents().get(0);
  }

  private static Merge.Layer layer(YamlDocument d) {
    return new Merge.Layer(d.tree(), d.sourceMap(), "");
  }

  private static final YamlDocument BASE = doc("base.yaml", """
      image:
        repository: registry.example.com/app
        tag: "1.0"
      resources:
        requests:
          cpu: 100m
          memory: 256Mi
        limits:
          memory: 512Mi
      ports:
        - name: http
          port: 8080
        - name: metrics
          port: 9090
      replicas: 2
      """);

  @Test
  void mapsDeepMerge() {
    YamlDocument over = doc("over.yaml", """
        resources:
          requests:
            cpu: 250m
        """);

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));

    assertThat(r.tree().at("/resources/requests/cpu").asText()).isEqualTo("250m");
    assertThat(r.tree().at("/resources/requests/memory").asText()).isEqualTo("256Mi");
    assertThat(r.tree().at("/resources/limits/memory").asText()).isEqualTo("512Mi");
    assertThat(r.tree().at("/image/tag").asText()).isEqualTo("1.0");
    assertThat(r.origins().get("/resources/requests/cpu")).isEqualTo(new Location("over.yaml", 3, 10));
    assertThat(r.origins().get("/resources/requests/memory")).isEqualTo(new Location("base.yaml", 7, 13));
  }

  @Test
  void listsAreReplacedWhole() {
    YamlDocument over = doc("over.yaml", """
        ports:
          - name: grpc
            port: 9000
        """);

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));

    assertThat(r.tree().get("ports")).hasSize(1);
    assertThat(r.tree().at("/ports/0/name").asText()).isEqualTo("grpc");
    assertThat(r.origins()).doesNotContainKey("/ports/1").doesNotContainKey("/ports/1/name");
    assertThat(r.origins().get("/ports/0/name")).isEqualTo(new Location("over.yaml", 2, 11));
  }

  @Test
  void nullRemovesTheFieldAndItsOrigins() {
    YamlDocument over = doc("over.yaml", """
        resources:
          limits: null
        replicas: ~
        """);

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));

    assertThat(r.tree().at("/resources").has("limits")).isFalse();
    assertThat(r.tree().at("/resources/requests/cpu").asText()).isEqualTo("100m");
    assertThat(r.tree().has("replicas")).isFalse();
    assertThat(r.origins().keySet()).noneMatch(p -> p.startsWith("/resources/limits") || p.equals("/replicas"));
  }

  @Test
  void nullsInsideANewValueAreDropped() {
    YamlDocument over = doc("over.yaml", """
        route:
          host: example.com
          path: null
        """);

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));

    assertThat(r.tree().get("route").has("path")).isFalse();
    assertThat(r.tree().at("/route/host").asText()).isEqualTo("example.com");
  }

  @Test
  void scalarsAndMapsReplaceEachOther() {
    YamlDocument over = doc("over.yaml", """
        replicas:
          weird: map
        image: plain
        """);

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));

    assertThat(r.tree().at("/replicas/weird").asText()).isEqualTo("map");
    assertThat(r.tree().get("image").asText()).isEqualTo("plain");
    assertThat(r.origins()).doesNotContainKey("/image/tag");
  }

  @Test
  void laterLayersWinAndPrefixedLayersAreReadFromTheirPrefix() {
    YamlDocument env = doc("environments/dev.yaml", """
        tier: dev
        defaults:
          replicas: 1
          labels:
            tier: dev
            cost-center: shared
        """);
    YamlDocument svc = doc("service.yaml", """
        replicas: 3
        labels:
          cost-center: payments
        """);
    YamlDocument override = doc("env/dev.yaml", """
        replicas: 5
        """);
    Merge.Layer defaults = new Merge.Layer(env.tree().get("defaults"), env.sourceMap(), "/defaults");

    Merge.Result envAndService = Merge.apply(List.of(defaults, layer(svc)));
    Merge.Result all = Merge.apply(List.of(defaults, layer(svc), layer(override)));
    Merge.Result envOnly = Merge.apply(List.of(defaults));

    assertThat(envOnly.tree().get("replicas").asInt()).isEqualTo(1);
    assertThat(envOnly.origins().get("/replicas")).isEqualTo(new Location("environments/dev.yaml", 3, 13));
    assertThat(envAndService.tree().get("replicas").asInt()).isEqualTo(3);
    assertThat(all.tree().get("replicas").asInt()).isEqualTo(5);
    assertThat(all.origins().get("/replicas")).isEqualTo(new Location("env/dev.yaml", 1, 11));
    assertThat(all.tree().at("/labels/tier").asText()).isEqualTo("dev");
    assertThat(all.tree().at("/labels/cost-center").asText()).isEqualTo("payments");
    assertThat(all.origins().get("/labels/tier")).isEqualTo(new Location("environments/dev.yaml", 5, 11));
    assertThat(all.origins().get("/labels/cost-center")).isEqualTo(new Location("service.yaml", 3, 16));
    assertThat(all.tree().has("tier")).as("only the defaults of the environment are a layer").isFalse();
  }

  @Test
  void inputTreesAreNotModified() {
    JsonNode before = BASE.tree().deepCopy();
    YamlDocument over = doc("over.yaml", """
        resources:
          requests:
            cpu: 1
          limits: null
        ports: []
        """);
    JsonNode overBefore = over.tree().deepCopy();

    Merge.Result r = Merge.apply(List.of(layer(BASE), layer(over)));
    ((com.fasterxml.jackson.databind.node.ObjectNode) r.tree().get("resources")).put("extra", "x");

    assertThat(BASE.tree()).isEqualTo(before);
    assertThat(over.tree()).isEqualTo(overBefore);
  }

  @Test
  void withoutNullsDropsNullEntriesAtEveryDepth() {
    YamlDocument d = doc("x.yaml", """
        a: null
        b:
          c: null
          d: 1
        e:
          - f: null
            g: 2
        """);

    JsonNode clean = Merge.withoutNulls(d.tree());

    assertThat(clean.toString()).isEqualTo("{\"b\":{\"d\":1},\"e\":[{\"g\":2}]}");
  }
}
