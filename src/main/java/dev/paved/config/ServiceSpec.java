package dev.paved.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The effective declaration of a service in one environment, after merging environment
 * defaults, {@code service.yaml} and the environment's override. Field by field the same as
 * {@code schema/service.schema.json}; absent optional fields are null.
 */
@JsonIgnoreProperties({"apiVersion", "kind", "system"})
public record ServiceSpec(
    String team,
    String description,
    Links links,
    Map<String, String> labels,
    List<String> environments,
    Image image,
    List<String> command,
    List<String> args,
    List<Port> ports,
    Map<String, Variable> variables,
    Resources resources,
    Probes probes,
    Integer replicas,
    Autoscaling autoscaling,
    Route route,
    List<IgnoreDifference> ignoreDifferences) {

  public ServiceSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    environments = environments == null ? null : List.copyOf(environments);
    command = command == null ? null : List.copyOf(command);
    args = args == null ? null : List.copyOf(args);
    ports = ports == null ? List.of() : List.copyOf(ports);
    variables = variables == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(variables));
    ignoreDifferences = ignoreDifferences == null ? List.of() : List.copyOf(ignoreDifferences);
  }

  /**
   * Fields of the service's objects of {@code kind} (one object when {@code name} is set) that
   * are not drift when they differ live: JSON pointers, each covering everything below it.
   */
  public record IgnoreDifference(String kind, String name, List<String> jsonPointers) {
    public IgnoreDifference {
      jsonPointers = jsonPointers == null ? List.of() : List.copyOf(jsonPointers);
    }

    /** Whether the rule covers the object {@code kind/objectName}. */
    public boolean matches(String objectKind, String objectName) {
      return kind.equals(objectKind) && (name == null || name.equals(objectName));
    }
  }

  /** Catalog links of the service. */
  public record Links(String docs, String runbook, String dashboard, String source) {}

  /** Where the image comes from. */
  public record Image(String repository, String tag, String digest) {

    /** {@code repo@digest}, {@code repo:tag}, or the bare repository when neither is set. */
    public String reference() {
      if (digest != null) {
        return repository + "@" + digest;
      }
      return tag != null ? repository + ":" + tag : repository;
    }
  }

  /** A container port. */
  public record Port(String name, int port, String protocol) {
    public String protocolOrDefault() {
      return protocol == null ? "TCP" : protocol;
    }
  }

  /** A key of a Secret or ConfigMap. */
  public record KeyRef(String name, String key, Boolean optional) {}

  /** A variable: a literal, or a reference to a Secret or ConfigMap key. */
  public record Variable(String literal, KeyRef secret, KeyRef configMap) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Variable fromJson(JsonNode node) {
      if (node.isObject()) {
        return new Variable(null, key(node.get("secret")), key(node.get("configMap")));
      }
      return new Variable(node.asText(), null, null);
    }

    private static KeyRef key(JsonNode n) {
      if (n == null) {
        return null;
      }
      return new KeyRef(n.path("name").asText(), n.path("key").asText(),
          n.has("optional") ? n.get("optional").asBoolean() : null);
    }

    public static Variable literal(String value) {
      return new Variable(value, null, null);
    }

    public boolean isLiteral() {
      return literal != null;
    }
  }

  /** Requests and limits by resource name ({@code cpu}, {@code memory}...). */
  public record Resources(Map<String, String> requests, Map<String, String> limits) {
    public Resources {
      requests = requests == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(requests));
      limits = limits == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(limits));
    }
  }

  /** One probe: exactly one of http, tcp, exec. */
  public record Probe(HttpCheck http, TcpCheck tcp, ExecCheck exec, Integer initialDelaySeconds,
      Integer periodSeconds, Integer timeoutSeconds, Integer failureThreshold) {}

  public record HttpCheck(String path, String port) {}

  public record TcpCheck(String port) {}

  public record ExecCheck(List<String> command) {}

  /** The probes of the container. */
  public record Probes(Probe liveness, Probe readiness, Probe startup) {}

  /** Horizontal autoscaling bounds. */
  public record Autoscaling(int minReplicas, int maxReplicas, Integer targetCPUUtilizationPercentage) {
    public int targetOrDefault() {
      return targetCPUUtilizationPercentage == null ? 80 : targetCPUUtilizationPercentage;
    }
  }

  /** An HTTP route (Ingress). */
  public record Route(String host, String path, String port, String ingressClassName, String tlsSecret) {
    public String pathOrDefault() {
      return path == null ? "/" : path;
    }
  }

  public Optional<Probes> probesOpt() {
    return Optional.ofNullable(probes);
  }
}
