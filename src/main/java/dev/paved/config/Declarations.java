package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The declared kinds of a config repo, as read from their files (before merging). */
public final class Declarations {

  private Declarations() {}

  /** {@code clusters/<name>.yaml}. */
  public record Cluster(String name, String file, boolean inCluster, String kubeconfigFile, String context) {

    /** The cluster of a file valid against its schema. */
    static Cluster of(String name, String file, YamlDocument doc) {
      JsonNode c = doc.tree().path("connection");
      JsonNode kc = c.path("kubeconfig");
      return new Cluster(name, file, c.path("inCluster").asBoolean(false), text(kc.get("file")), text(kc.get("context")));
    }
  }

  /** {@code environments/<name>.yaml}. */
  public record Environment(String name, String file, String tier, String cluster, String namespacePattern,
      boolean createNamespaces, DriftMode drift, String promotesFrom, Map<String, String> labels,
      YamlDocument document) {

    public Environment {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The environment of a file valid against its schema. */
    static Environment of(String name, String file, YamlDocument doc) {
      JsonNode t = doc.tree();
      Map<String, String> labels = new TreeMap<>();
      t.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      return new Environment(name, file, t.path("tier").asText(), t.path("cluster").asText(),
          t.has("namespace") ? t.get("namespace").asText() : "{team}-{env}",
          t.path("createNamespaces").asBoolean(true),
          "report".equals(t.path("drift").asText()) ? DriftMode.REPORT : DriftMode.CORRECT,
          text(t.get("promotesFrom")), labels, doc);
    }

    /** The {@code defaults} map, or an empty map. */
    public ObjectNode defaults() {
      JsonNode d = document.tree().get("defaults");
      return d == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : (ObjectNode) d.deepCopy();
    }

    public boolean prodLike() {
      return tier.equals("prod") || tier.equals("staging");
    }
  }

  /** What Paved does when a managed object drifts from git. */
  public enum DriftMode { CORRECT, REPORT }

  /** {@code services/<name>/service.yaml}, with its overrides and raw manifests. */
  public record Service(String name, String file, YamlDocument document, Map<String, Override> overrides,
      List<RawManifest> manifests) {

    public Service {
      overrides = Map.copyOf(overrides);
      manifests = List.copyOf(manifests);
    }

    public String team() {
      return document.tree().path("team").asText();
    }

    /** Environments the service is restricted to, or null for all. */
    public List<String> environments() {
      JsonNode e = document.tree().get("environments");
      if (e == null) {
        return null;
      }
      List<String> out = new java.util.ArrayList<>();
      e.forEach(n -> out.add(n.asText()));
      return out;
    }
  }

  /** {@code services/<service>/env/<environment>.yaml}. */
  public record Override(String service, String environment, String file, YamlDocument document) {}

  /** One document of {@code services/<service>/manifests/*.yaml}: the exit door to raw Kubernetes YAML. */
  public record RawManifest(String service, String file, YamlDocument document) {
    public ObjectNode object() {
      return (ObjectNode) document.copy();
    }
  }

  /** {@code policies/<name>.yaml}. */
  public record Policy(String name, String file, String rule, boolean enforce, String description,
      Selector match, Selector exclude, YamlDocument document) {

    /** The policy of a file valid against its schema. */
    static Policy of(String name, String file, YamlDocument doc) {
      JsonNode t = doc.tree();
      return new Policy(name, file, t.path("rule").asText(), !"warn".equals(t.path("enforcement").asText()),
          text(t.get("description")), selector(t.get("match")), selector(t.get("exclude")), doc);
    }

    /** The rule's parameters (an empty map when none are given). */
    public JsonNode parameters() {
      JsonNode p = document.tree().get("parameters");
      return p == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : p;
    }

    public Severity severity() {
      return enforce ? Severity.ERROR : Severity.WARNING;
    }

    public boolean applies(String tier, String environment, String service, String team) {
      return match.matches(tier, environment, service, team)
          && (exclude.isEmpty() || !exclude.matches(tier, environment, service, team));
    }
  }

  private static Selector selector(JsonNode n) {
    if (n == null) {
      return Selector.ALL;
    }
    return new Selector(list(n.get("tiers")), list(n.get("environments")), list(n.get("services")), list(n.get("teams")));
  }

  private static List<String> list(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
