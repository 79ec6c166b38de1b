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

  /**
   * {@code clusters/<name>.yaml}: a cluster named and described, and the environments that may
   * run there ({@code environments} null: any). How to reach it is not the repo's business: the
   * daemon config and the CLI say ({@code dev.paved.apply.Clusters.Connections}).
   */
  public record Cluster(String name, String file, String description, Map<String, String> labels,
      List<String> environments) {

    public Cluster {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      environments = environments == null ? null : List.copyOf(environments);
    }

    /** A cluster with no description, labels or restriction (for tests and tools). */
    public static Cluster named(String name) {
      return new Cluster(name, "clusters/" + name + ".yaml", null, Map.of(), null);
    }

    /** Whether environment {@code name} may run on this cluster. */
    public boolean admits(String environment) {
      return environments == null || environments.contains(environment);
    }

    /** The cluster of a file valid against its schema. */
    static Cluster of(String name, String file, YamlDocument doc) {
      JsonNode t = doc.tree();
      Map<String, String> labels = new TreeMap<>();
      t.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      return new Cluster(name, file, text(t.get("description")), labels,
          t.has("environments") ? list(t.get("environments")) : null);
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

  /**
   * {@code teams/<name>.yaml}: what the platform grants a team. {@code namespaces} maps an
   * environment to namespace patterns ({@code {team}}, {@code {env}}); an environment it does not
   * list gives the team the environment's own pattern (see {@link Platform#namespaces}).
   * {@code kinds}: the namespaced kinds its raw manifests may use; {@code clusterKinds}: the
   * cluster-scoped kinds it may create; {@code identity}: whom Paved acts as for it.
   */
  public record Team(String name, String file, List<String> owners, Map<String, List<String>> namespaces,
      List<String> kinds, List<String> clusterKinds, Identity identity, YamlDocument document) {

    /** The namespaced kinds a team's raw manifests may use when its file does not say. */
    public static final List<String> DEFAULT_KINDS = List.of("ConfigMap", "Secret", "Service", "ServiceAccount",
        "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Ingress", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "NetworkPolicy", "Role", "RoleBinding", "PersistentVolumeClaim");
    /** The group of every team's default identity. */
    public static final String TEAMS_GROUP = "paved:teams";

    public Team {
      owners = List.copyOf(owners);
      namespaces = Map.copyOf(namespaces);
      kinds = List.copyOf(kinds);
      clusterKinds = List.copyOf(clusterKinds);
    }

    /** The team of a file valid against its schema. */
    static Team of(String name, String file, YamlDocument doc) {
      JsonNode t = doc.tree();
      Map<String, List<String>> namespaces = new TreeMap<>();
      t.path("namespaces").fields().forEachRemaining(e -> namespaces.put(e.getKey(), list(e.getValue())));
      JsonNode id = t.get("identity");
      Identity identity = id == null ? defaultIdentity(name)
          : new Identity(id.path("user").asText(), id.has("groups") ? list(id.get("groups")) : List.of());
      return new Team(name, file, list(t.get("owners")), namespaces,
          t.has("kinds") ? list(t.get("kinds")) : DEFAULT_KINDS, list(t.get("clusterKinds")), identity, doc);
    }

    /** The identity Paved acts as for team {@code name} when its file names none. */
    public static Identity defaultIdentity(String name) {
      return new Identity("paved:team:" + name, List.of(TEAMS_GROUP));
    }

    /** The Kubernetes user and groups Paved impersonates when it writes the team's objects. */
    public record Identity(String user, List<String> groups) {
      public Identity {
        groups = List.copyOf(groups);
      }
    }
  }

  /**
   * {@code platform.yaml} at the repo root (optional): the platform team's owners (for
   * CODEOWNERS), the namespaces no team may write beyond the built-in ones, and the repo's id
   * ({@code id}, null when not declared: what {@code paved apply} labels the objects it owns
   * with; the daemon uses its config's repo name).
   */
  public record Settings(String file, List<String> owners, List<String> reservedNamespaces, String id) {

    public static final Settings NONE = new Settings(null, List.of(), List.of(), null);

    public Settings {
      owners = List.copyOf(owners);
      reservedNamespaces = List.copyOf(reservedNamespaces);
    }

    /** The settings of a file valid against its schema. */
    static Settings of(String file, YamlDocument doc) {
      return new Settings(file, list(doc.tree().get("owners")), list(doc.tree().get("reservedNamespaces")),
          text(doc.tree().get("id")));
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
