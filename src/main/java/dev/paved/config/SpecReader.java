package dev.paved.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.ServiceSpec.Autoscaling;
import dev.paved.config.ServiceSpec.ExecCheck;
import dev.paved.config.ServiceSpec.HttpCheck;
import dev.paved.config.ServiceSpec.IgnoreDifference;
import dev.paved.config.ServiceSpec.Image;
import dev.paved.config.ServiceSpec.Links;
import dev.paved.config.ServiceSpec.Port;
import dev.paved.config.ServiceSpec.Probe;
import dev.paved.config.ServiceSpec.Probes;
import dev.paved.config.ServiceSpec.Resources;
import dev.paved.config.ServiceSpec.Route;
import dev.paved.config.ServiceSpec.TcpCheck;
import dev.paved.config.ServiceSpec.Variable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a merged, schema-checked service tree into a {@link ServiceSpec} directly, for the
 * plain shapes only: every field of the type the record declares (text for strings, an int
 * for integers in int range, maps and lists of those). It gives up ({@code null}) on anything else — a field
 * it does not know, a number where text is expected, a null — and the caller then binds the
 * tree with Jackson, whose coercions and error messages stay the rule. Where it reads, it
 * builds what Jackson builds: the same records, maps in field order, lists in order.
 */
final class SpecReader {

  /** Thrown, without a stack trace, when the tree is not of the plain shape. */
  private static final class NotPlain extends RuntimeException {
    private static final NotPlain INSTANCE = new NotPlain();

    private NotPlain() {
      super(null, null, false, false);
    }
  }

  private SpecReader() {}

  /** The spec of {@code tree}, or null when only Jackson's binding can say (see the class). */
  static ServiceSpec read(JsonNode tree) {
    try {
      return spec(tree);
    } catch (NotPlain e) {
      return null;
    }
  }

  private static ServiceSpec spec(JsonNode n) {
    object(n);
    String team = null;
    String description = null;
    Links links = null;
    Map<String, String> labels = null;
    List<String> environments = null;
    Image image = null;
    List<String> command = null;
    List<String> args = null;
    List<Port> ports = null;
    Map<String, Variable> variables = null;
    Resources resources = null;
    Probes probes = null;
    Integer replicas = null;
    Autoscaling autoscaling = null;
    Route route = null;
    List<IgnoreDifference> ignoreDifferences = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "apiVersion", "kind", "system" -> { }
        case "team" -> team = text(v);
        case "description" -> description = text(v);
        case "links" -> links = links(v);
        case "labels" -> labels = textMap(v);
        case "environments" -> environments = textList(v);
        case "image" -> image = image(v);
        case "command" -> command = textList(v);
        case "args" -> args = textList(v);
        case "ports" -> ports = ports(v);
        case "variables" -> variables = variables(v);
        case "resources" -> resources = resources(v);
        case "probes" -> probes = probes(v);
        case "replicas" -> replicas = integer(v);
        case "autoscaling" -> autoscaling = autoscaling(v);
        case "route" -> route = route(v);
        case "ignoreDifferences" -> ignoreDifferences = ignoreDifferences(v);
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new ServiceSpec(team, description, links, labels, environments, image, command, args, ports, variables,
        resources, probes, replicas, autoscaling, route, ignoreDifferences);
  }

  private static Links links(JsonNode n) {
    object(n);
    String docs = null;
    String runbook = null;
    String dashboard = null;
    String source = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "docs" -> docs = text(e.getValue());
        case "runbook" -> runbook = text(e.getValue());
        case "dashboard" -> dashboard = text(e.getValue());
        case "source" -> source = text(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Links(docs, runbook, dashboard, source);
  }

  private static Image image(JsonNode n) {
    object(n);
    String repository = null;
    String tag = null;
    String digest = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "repository" -> repository = text(e.getValue());
        case "tag" -> tag = text(e.getValue());
        case "digest" -> digest = text(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Image(repository, tag, digest);
  }

  private static List<Port> ports(JsonNode n) {
    array(n);
    List<Port> out = new ArrayList<>(n.size());
    for (JsonNode p : n) {
      object(p);
      String name = null;
      Integer port = null;
      String protocol = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        switch (e.getKey()) {
          case "name" -> name = text(e.getValue());
          case "port" -> port = integer(e.getValue());
          case "protocol" -> protocol = text(e.getValue());
          default -> throw NotPlain.INSTANCE;
        }
      }
      if (port == null) {
        throw NotPlain.INSTANCE;
      }
      out.add(new Port(name, port, protocol));
    }
    return out;
  }

  private static Map<String, Variable> variables(JsonNode n) {
    object(n);
    Map<String, Variable> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isTextual() && !v.isObject()) {
        throw NotPlain.INSTANCE;
      }
      if (v.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> refs = v.fields(); refs.hasNext(); ) {
          Map.Entry<String, JsonNode> ref = refs.next();
          if (!ref.getKey().equals("secret") && !ref.getKey().equals("configMap") || !ref.getValue().isObject()) {
            throw NotPlain.INSTANCE;
          }
          for (Iterator<Map.Entry<String, JsonNode>> keys = ref.getValue().fields(); keys.hasNext(); ) {
            Map.Entry<String, JsonNode> key = keys.next();
            boolean ok = switch (key.getKey()) {
              case "name", "key" -> key.getValue().isTextual();
              case "optional" -> key.getValue().isBoolean();
              default -> false;
            };
            if (!ok) {
              throw NotPlain.INSTANCE;
            }
          }
        }
      }
      out.put(e.getKey(), Variable.fromJson(v));
    }
    return out;
  }

  private static Resources resources(JsonNode n) {
    object(n);
    Map<String, String> requests = null;
    Map<String, String> limits = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "requests" -> requests = textMap(e.getValue());
        case "limits" -> limits = textMap(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Resources(requests, limits);
  }

  private static Probes probes(JsonNode n) {
    object(n);
    Probe liveness = null;
    Probe readiness = null;
    Probe startup = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "liveness" -> liveness = probe(e.getValue());
        case "readiness" -> readiness = probe(e.getValue());
        case "startup" -> startup = probe(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Probes(liveness, readiness, startup);
  }

  private static Probe probe(JsonNode n) {
    object(n);
    HttpCheck http = null;
    TcpCheck tcp = null;
    ExecCheck exec = null;
    Integer initialDelaySeconds = null;
    Integer periodSeconds = null;
    Integer timeoutSeconds = null;
    Integer failureThreshold = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      switch (e.getKey()) {
        case "http" -> http = httpCheck(v);
        case "tcp" -> tcp = tcpCheck(v);
        case "exec" -> exec = execCheck(v);
        case "initialDelaySeconds" -> initialDelaySeconds = integer(v);
        case "periodSeconds" -> periodSeconds = integer(v);
        case "timeoutSeconds" -> timeoutSeconds = integer(v);
        case "failureThreshold" -> failureThreshold = integer(v);
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Probe(http, tcp, exec, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold);
  }

  private static HttpCheck httpCheck(JsonNode n) {
    object(n);
    String path = null;
    String port = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "path" -> path = text(e.getValue());
        case "port" -> port = port(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new HttpCheck(path, port);
  }

  private static TcpCheck tcpCheck(JsonNode n) {
    object(n);
    String port = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("port")) {
        throw NotPlain.INSTANCE;
      }
      port = port(e.getValue());
    }
    return new TcpCheck(port);
  }

  private static ExecCheck execCheck(JsonNode n) {
    object(n);
    List<String> command = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("command")) {
        throw NotPlain.INSTANCE;
      }
      command = textList(e.getValue());
    }
    return new ExecCheck(command);
  }

  private static Autoscaling autoscaling(JsonNode n) {
    object(n);
    Integer min = null;
    Integer max = null;
    Integer target = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "minReplicas" -> min = integer(e.getValue());
        case "maxReplicas" -> max = integer(e.getValue());
        case "targetCPUUtilizationPercentage" -> target = integer(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    if (min == null || max == null) {
      throw NotPlain.INSTANCE;
    }
    return new Autoscaling(min, max, target);
  }

  private static Route route(JsonNode n) {
    object(n);
    String host = null;
    String path = null;
    String port = null;
    String ingressClassName = null;
    String tlsSecret = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "host" -> host = text(e.getValue());
        case "path" -> path = text(e.getValue());
        case "port" -> port = port(e.getValue());
        case "ingressClassName" -> ingressClassName = text(e.getValue());
        case "tlsSecret" -> tlsSecret = text(e.getValue());
        default -> throw NotPlain.INSTANCE;
      }
    }
    return new Route(host, path, port, ingressClassName, tlsSecret);
  }

  private static List<IgnoreDifference> ignoreDifferences(JsonNode n) {
    array(n);
    List<IgnoreDifference> out = new ArrayList<>(n.size());
    for (JsonNode d : n) {
      object(d);
      String kind = null;
      String name = null;
      List<String> pointers = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        switch (e.getKey()) {
          case "kind" -> kind = text(e.getValue());
          case "name" -> name = text(e.getValue());
          case "jsonPointers" -> pointers = textList(e.getValue());
          default -> throw NotPlain.INSTANCE;
        }
      }
      out.add(new IgnoreDifference(kind, name, pointers));
    }
    return out;
  }

  private static Map<String, String> textMap(JsonNode n) {
    object(n);
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), text(e.getValue()));
    }
    return out;
  }

  private static List<String> textList(JsonNode n) {
    array(n);
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode x : n) {
      out.add(text(x));
    }
    return out;
  }

  private static String text(JsonNode n) {
    if (!n.isTextual()) {
      throw NotPlain.INSTANCE;
    }
    return n.textValue();
  }

  /** A port reference (a string field): a name, or a number, which Jackson binds as its decimal text. */
  private static String port(JsonNode n) {
    if (n.isInt() || n.isLong()) {
      return n.asText();
    }
    return text(n);
  }

  private static Integer integer(JsonNode n) {
    // YAML integers are long nodes; Jackson binds those in int range to an int
    if (!(n.isInt() || n.isLong()) || !n.canConvertToInt()) {
      throw NotPlain.INSTANCE;
    }
    return n.intValue();
  }

  private static void object(JsonNode n) {
    if (!n.isObject()) {
      throw NotPlain.INSTANCE;
    }
  }

  private static void array(JsonNode n) {
    if (!n.isArray()) {
      throw NotPlain.INSTANCE;
    }
  }
}
