package dev.paved.config;

import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small config repos built in memory for tests. */
public final class Fixtures {

  private final Map<String, SourceFile> files = new LinkedHashMap<>();

  public static Fixtures minimal() {
    return new Fixtures()
        .file("clusters/main.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Cluster
            """)
        .file("environments/dev.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Environment
            tier: dev
            cluster: main
            """)
        .file("teams/payments.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Team
            owners: ["@acme/payments"]
            """)
        .file("services/checkout/service.yaml", """
            apiVersion: paved.dev/v1alpha1
            kind: Service
            team: payments
            image:
              repository: registry.example.com/payments/checkout
              tag: "1.0.0"
            ports:
              - name: http
                port: 8080
            """);
  }

  /** Declares team {@code name} with an owner and every default. */
  public Fixtures team(String name) {
    return file("teams/" + name + ".yaml", "apiVersion: paved.dev/v1alpha1\nkind: Team\nowners: [\"@acme/" + name + "\"]\n");
  }

  public Fixtures file(String path, String text) {
    files.put(path, SourceFile.of(path, text));
    return this;
  }

  public Fixtures unreadable(String path, String problem) {
    files.put(path, SourceFile.unreadable(path, problem));
    return this;
  }

  public Fixtures remove(String path) {
    files.remove(path);
    return this;
  }

  public ConfigTree tree() {
    return new ConfigTree("test", files);
  }

  /** The tree of one YAML document. */
  public static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
    return YamlReader.read("test.yaml", text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).documents().get(0).tree();
  }

  public LoadResult load() {
    return ConfigLoader.load(tree());
  }
}
