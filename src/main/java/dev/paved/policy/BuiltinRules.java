package dev.paved.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Workload;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Renderer;
import dev.paved.policy.PodSpecs.ContainerRef;
import dev.paved.policy.PodSpecs.ImageRef;
import dev.paved.policy.PolicyEngine.Rule;
import dev.paved.policy.PolicyEngine.Scope;
import dev.paved.policy.PolicyEngine.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The built-in rules, one method each. Rules on containers look at every pod template of the
 * environment (rendered or raw), so the exit door is checked like the rest.
 */
final class BuiltinRules {

  private static final Map<String, Rule> RULES = Map.of(
      "disallowed-image-tags", BuiltinRules::disallowedImageTags,
      "allowed-registries", BuiltinRules::allowedRegistries,
      "resources-required", BuiltinRules::resourcesRequired,
      "replica-bounds", BuiltinRules::replicaBounds,
      "required-labels", BuiltinRules::requiredLabels,
      "probes-required", BuiltinRules::probesRequired,
      "namespace-confinement", BuiltinRules::namespaceConfinement,
      "no-secret-literals", BuiltinRules::noSecretLiterals,
      "promotion-order", BuiltinRules::promotionOrder);

  private BuiltinRules() {}

  static Rule get(String name) {
    Rule r = RULES.get(name);
    if (r == null) {
      throw new IllegalArgumentException("unknown rule " + name + " (the schema should have refused it)");
    }
    return r;
  }

  static java.util.Set<String> names() {
    return RULES.keySet();
  }

  private static List<String> strings(JsonNode params, String field, List<String> fallback) {
    JsonNode n = params.get(field);
    if (n == null) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static Violation at(ContainerRef c, String pointer, String message) {
    return new Violation(c.object(), c.object().service(), c.object().locate(pointer),
        c.object().key() + ": " + message);
  }

  static List<Violation> disallowedImageTags(Scope s) {
    JsonNode p = s.policy().parameters();
    List<String> tags = strings(p, "tags", List.of("latest"));
    boolean requireTag = p.path("requireTag").asBoolean(true);
    boolean requireDigest = p.path("requireDigest").asBoolean(false);
    List<Violation> out = new ArrayList<>();
    for (ContainerRef c : s.containers(true)) {
      ImageRef ref = ImageRef.parse(c.image());
      if (ref.tag() != null && tags.contains(ref.tag()) && ref.digest() == null) {
        out.add(at(c, c.pointer() + "/image#tag", "container \"" + c.name() + "\" uses image \"" + c.image() + "\" with the tag \""
            + ref.tag() + "\", which is not allowed; pin a version (e.g. 1.4.2) or a digest"));
      } else if (requireTag && ref.tag() == null && ref.digest() == null) {
        out.add(at(c, c.pointer() + "/image#tag", "container \"" + c.name() + "\" uses image \"" + c.image()
            + "\" without a tag or digest; set image.tag (or image.digest) for this environment"));
      }
      if (requireDigest && ref.digest() == null) {
        out.add(at(c, c.pointer() + "/image#tag", "container \"" + c.name() + "\" uses image \"" + c.image()
            + "\" without a digest; pin it with image.digest (sha256:...)"));
      }
    }
    return out;
  }

  static List<Violation> allowedRegistries(Scope s) {
    List<String> registries = strings(s.policy().parameters(), "registries", List.of());
    List<Violation> out = new ArrayList<>();
    for (ContainerRef c : s.containers(true)) {
      ImageRef ref = ImageRef.parse(c.image());
      boolean ok = registries.stream().anyMatch(r -> ref.repository().startsWith(r) || ref.normalized().startsWith(r));
      if (!ok) {
        out.add(at(c, c.pointer() + "/image#repository", "container \"" + c.name() + "\" uses image \"" + c.image()
            + "\" from a registry that is not allowed; use one of: " + String.join(", ", registries)));
      }
    }
    return out;
  }

  static List<Violation> resourcesRequired(Scope s) {
    JsonNode p = s.policy().parameters();
    List<String> requests = strings(p, "requests", List.of("cpu", "memory"));
    List<String> limits = strings(p, "limits", List.of("memory"));
    List<Violation> out = new ArrayList<>();
    for (ContainerRef c : s.containers(true)) {
      List<String> missing = new ArrayList<>();
      for (String r : requests) {
        if (c.json().path("resources").path("requests").path(r).isMissingNode()) {
          missing.add("requests." + r);
        }
      }
      for (String r : limits) {
        if (c.json().path("resources").path("limits").path(r).isMissingNode()) {
          missing.add("limits." + r);
        }
      }
      if (!missing.isEmpty()) {
        out.add(at(c, c.pointer() + "/resources", "container \"" + c.name() + "\" has no resources "
            + String.join(", ", missing) + "; set them under \"resources\""));
      }
    }
    return out;
  }

  static List<Violation> replicaBounds(Scope s) {
    JsonNode p = s.policy().parameters();
    Integer min = p.has("min") ? p.get("min").asInt() : null;
    Integer max = p.has("max") ? p.get("max").asInt() : null;
    List<Violation> out = new ArrayList<>();
    java.util.Set<String> scaled = new java.util.HashSet<>();
    for (DesiredObject o : s.objects()) {
      if (o.key().kind().equals("HorizontalPodAutoscaler")) {
        JsonNode spec = o.manifest().path("spec");
        scaled.add(spec.path("scaleTargetRef").path("kind").asText() + "/" + spec.path("scaleTargetRef").path("name").asText());
        int lo = spec.path("minReplicas").asInt(1);
        int hi = spec.path("maxReplicas").asInt();
        if (min != null && lo < min) {
          out.add(new Violation(o, o.service(), o.locate("/spec/minReplicas"), o.key() + ": autoscaling minReplicas is "
              + lo + ", below the minimum of " + min + " here; raise autoscaling.minReplicas"));
        }
        if (max != null && hi > max) {
          out.add(new Violation(o, o.service(), o.locate("/spec/maxReplicas"), o.key() + ": autoscaling maxReplicas is "
              + hi + ", above the maximum of " + max + " here; lower autoscaling.maxReplicas"));
        }
      }
    }
    for (DesiredObject o : s.objects()) {
      String kind = o.key().kind();
      if (!(kind.equals("Deployment") || kind.equals("StatefulSet")) || scaled.contains(kind + "/" + o.key().name())) {
        continue;
      }
      int replicas = o.manifest().path("spec").path("replicas").asInt(1);
      if (min != null && replicas < min) {
        out.add(new Violation(o, o.service(), o.locate("/spec/replicas"), o.key() + ": runs " + replicas
            + " replica(s), below the minimum of " + min + " here; set replicas: " + min + " or more"));
      }
      if (max != null && replicas > max) {
        out.add(new Violation(o, o.service(), o.locate("/spec/replicas"), o.key() + ": runs " + replicas
            + " replicas, above the maximum of " + max + " here; lower replicas"));
      }
    }
    return out;
  }

  static List<Violation> requiredLabels(Scope s) {
    List<String> required = strings(s.policy().parameters(), "labels", List.of());
    List<Violation> out = new ArrayList<>();
    for (DesiredObject o : s.objects()) {
      if (o.service() == null) {
        continue; // environment-level objects (Namespaces) carry the environment's labels only
      }
      JsonNode labels = o.manifest().path("metadata").path("labels");
      List<String> missing = null;
      for (String l : required) {
        if (!labels.has(l)) {
          if (missing == null) {
            missing = new ArrayList<>();
          }
          missing.add(l);
        }
      }
      if (missing != null) {
        out.add(new Violation(o, o.service(), o.locate("/metadata/labels"), o.key() + ": missing label(s) "
            + String.join(", ", missing) + "; add them under \"labels\" in the service or the environment"));
      }
    }
    return out;
  }

  static List<Violation> probesRequired(Scope s) {
    List<String> probes = strings(s.policy().parameters(), "probes", List.of("liveness", "readiness"));
    List<Violation> out = new ArrayList<>();
    for (ContainerRef c : s.containers(false)) {
      if (!PodSpecs.longRunning(c.object())) {
        continue;
      }
      List<String> missing = probes.stream().filter(pr -> !c.json().has(pr + "Probe")).toList();
      if (!missing.isEmpty()) {
        out.add(at(c, c.pointer() + "/" + missing.get(0) + "Probe", "container \"" + c.name() + "\" has no "
            + String.join(", ", missing) + " probe; declare it under \"probes\""));
      }
    }
    return out;
  }

  static List<Violation> namespaceConfinement(Scope s) {
    JsonNode p = s.policy().parameters();
    List<String> patterns = strings(p, "namespaces", List.of("{team}-*"));
    boolean allowClusterScoped = p.path("allowClusterScoped").asBoolean(false);
    // The team's patterns, compiled once per team; whether they allow a namespace, decided once
    // per (team, namespace): an environment has a few namespaces and tens of thousands of objects.
    Map<String, List<Pattern>> compiled = new java.util.HashMap<>();
    Map<String, Map<String, Boolean>> allowed = new java.util.HashMap<>();
    List<Violation> out = new ArrayList<>();
    for (DesiredObject o : s.objects()) {
      if (o.service() == null) {
        continue;
      }
      Workload w = s.workload(o.service());
      String team = w == null ? "" : w.team();
      if (Renderer.clusterScoped(o.manifest())) {
        if (!allowClusterScoped) {
          out.add(new Violation(o, o.service(), o.origin(), o.key() + ": cluster-scoped objects are not allowed "
              + "for team \"" + team + "\"; ask the platform team to manage it"));
        }
        continue;
      }
      String ns = o.key().namespace();
      List<Pattern> teamPatterns = compiled.computeIfAbsent(team, t -> patterns.stream()
          .map(pat -> glob(pat.replace("{team}", t).replace("{env}", s.environment().name()))).toList());
      boolean ok = allowed.computeIfAbsent(team, t -> new java.util.HashMap<>())
          .computeIfAbsent(ns == null ? "" : ns, n -> teamPatterns.stream().anyMatch(pat -> pat.matcher(n).matches()));
      if (!ok) {
        out.add(new Violation(o, o.service(), o.locate("/metadata/namespace"), o.key() + ": namespace \"" + ns
            + "\" is outside what team \"" + team + "\" may use (" + String.join(", ", patterns) + ")"));
      }
    }
    return out;
  }

  /** A namespace pattern where {@code *} matches any run of characters. */
  static Pattern glob(String glob) {
    List<String> parts = new ArrayList<>();
    for (String part : glob.split("\\*", -1)) {
      parts.add(Pattern.quote(part));
    }
    return Pattern.compile(String.join(".*", parts));
  }

  static List<Violation> noSecretLiterals(Scope s) {
    List<String> words = strings(s.policy().parameters(), "namePatterns", SecretNames.DEFAULT_WORDS).stream()
        .map(w -> w.toUpperCase(Locale.ROOT)).toList();
    List<Violation> out = new ArrayList<>();
    for (ContainerRef c : s.containers(true)) {
      JsonNode env = c.json().path("env");
      for (int i = 0; i < env.size(); i++) {
        JsonNode e = env.get(i);
        String name = e.path("name").asText();
        if (e.has("value") && !e.path("value").asText().isEmpty() && SecretNames.looksSecret(name, words)) {
          out.add(at(c, c.pointer() + "/env/" + i, "variable " + name + " looks secret but has a literal value; "
              + "store the value in a Secret and reference it: " + name + ": {secret: {name: ..., key: ...}}"));
        }
      }
    }
    return out;
  }

  static List<Violation> promotionOrder(Scope s) {
    String source = s.environment().promotesFrom();
    List<Violation> out = new ArrayList<>();
    if (source == null) {
      return out;
    }
    for (Workload w : s.workloads()) {
      Workload upstream = s.workloadIn(source, w.name());
      String image = w.spec().image().reference();
      if (upstream == null) {
        out.add(new Violation(null, w.name(), w.locate("/image"), "service \"" + w.name() + "\" runs in \""
            + s.environment().name() + "\" but not in \"" + source + "\", which \"" + s.environment().name()
            + "\" promotes from"));
      } else if (!upstream.spec().image().reference().equals(image)) {
        out.add(new Violation(null, w.name(), w.locate(w.spec().image().digest() != null ? "/image/digest" : "/image/tag"),
            "service \"" + w.name() + "\" runs " + image + " in \"" + s.environment().name() + "\" but "
                + upstream.spec().image().reference() + " in \"" + source + "\"; promote the version from \""
                + source + "\" (copy its image tag/digest)"));
      }
    }
    return out;
  }
}
