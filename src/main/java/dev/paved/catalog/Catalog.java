package dev.paved.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Team;
import dev.paved.config.Platform;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The config repo as a Backstage software catalog: a {@code Group} per declared team, a
 * {@code Component} per service (owner: its team; lifecycle {@code production} when it runs in a
 * prod-tier environment, else {@code experimental}; links; an annotation pointing at its page on
 * the Paved dashboard), and a {@code System} per system the services declare (owner: the team
 * owning most of its services). Pure: the same platform gives the same entities, sorted.
 */
public final class Catalog {

  public static final String API_VERSION = "backstage.io/v1alpha1";
  /** Annotation on a Component: its page on the Paved dashboard. */
  public static final String DASHBOARD_ANNOTATION = "paved.dev/dashboard";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Catalog() {}

  /** Groups, then Systems, then Components, each sorted by name. */
  public static List<ObjectNode> backstage(Platform platform, Optional<String> dashboardUrl) {
    List<ObjectNode> out = new ArrayList<>();
    platform.teams().values().forEach(t -> out.add(group(t)));
    Map<String, List<Service>> systems = new TreeMap<>();
    platform.services().values().forEach(s -> system(s).ifPresent(n -> systems.computeIfAbsent(n,
        k -> new ArrayList<>()).add(s)));
    systems.forEach((name, services) -> out.add(system(name, services)));
    platform.services().values().forEach(s -> out.add(component(platform, s, dashboardUrl)));
    return out;
  }

  private static ObjectNode group(Team team) {
    ObjectNode g = entity("Group", team.name());
    description(g, team.document().tree());
    ObjectNode annotations = JSON.objectNode();
    team.owners().stream().filter(o -> o.startsWith("@") && o.contains("/")).findFirst()
        .ifPresent(o -> annotations.put("github.com/team-slug", o.substring(1)));
    annotations.put("paved.dev/owners", String.join(", ", team.owners()));
    annotations.put("paved.dev/source", team.file());
    ((ObjectNode) g.get("metadata")).set("annotations", annotations);
    ObjectNode spec = g.putObject("spec");
    spec.put("type", "team");
    team.owners().stream().filter(o -> !o.startsWith("@")).findFirst()
        .ifPresent(email -> spec.putObject("profile").put("email", email));
    spec.putArray("children");
    return g;
  }

  private static ObjectNode system(String name, List<Service> services) {
    ObjectNode s = entity("System", name);
    Map<String, Long> byTeam = new TreeMap<>();
    services.forEach(svc -> byTeam.merge(svc.team(), 1L, Long::sum));
    String owner = byTeam.entrySet().stream()
        .max(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElseThrow();
    s.putObject("spec").put("owner", "group:" + owner);
    return s;
  }

  private static ObjectNode component(Platform platform, Service service, Optional<String> dashboardUrl) {
    JsonNode tree = service.document().tree();
    ObjectNode c = entity("Component", service.name());
    ObjectNode metadata = (ObjectNode) c.get("metadata");
    description(c, tree);
    ObjectNode annotations = metadata.putObject("annotations");
    dashboardUrl.ifPresent(d -> annotations.put(DASHBOARD_ANNOTATION,
        d.replaceAll("/+$", "") + "/#/services/" + service.name()));
    annotations.put("paved.dev/source", service.file());
    ArrayNode links = JSON.arrayNode();
    for (String[] l : new String[][] {{"docs", "Docs"}, {"runbook", "Runbook"}, {"dashboard", "Dashboard"},
        {"source", "Source"}}) {
      JsonNode url = tree.path("links").get(l[0]);
      if (url != null && url.isTextual()) {
        links.addObject().put("url", url.asText()).put("title", l[1]);
      }
    }
    if (!links.isEmpty()) {
      metadata.set("links", links);
    }
    List<String> envs = new ArrayList<>();
    boolean production = false;
    for (Environment env : platform.environments().values()) {
      if (platform.deploys(service, env.name())) {
        envs.add(env.name());
        production |= "prod".equals(env.tier());
      }
    }
    annotations.put("paved.dev/environments", String.join(", ", envs));
    ObjectNode spec = c.putObject("spec");
    spec.put("type", "service");
    spec.put("lifecycle", production ? "production" : "experimental");
    spec.put("owner", "group:" + service.team());
    system(service).ifPresent(s -> spec.put("system", s));
    return c;
  }

  private static Optional<String> system(Service service) {
    JsonNode s = service.document().tree().get("system");
    return s != null && s.isTextual() ? Optional.of(s.asText()) : Optional.empty();
  }

  private static ObjectNode entity(String kind, String name) {
    ObjectNode e = JSON.objectNode();
    e.put("apiVersion", API_VERSION);
    e.put("kind", kind);
    e.putObject("metadata").put("name", name);
    return e;
  }

  private static void description(ObjectNode entity, JsonNode tree) {
    JsonNode d = tree.get("description");
    if (d != null && d.isTextual()) {
      ((ObjectNode) entity.get("metadata")).put("description", d.asText().strip());
    }
  }
}
