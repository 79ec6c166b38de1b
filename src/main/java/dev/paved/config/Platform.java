package dev.paved.config;

import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Policy;
import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Settings;
import dev.paved.config.Declarations.Team;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A whole, valid config repo at one revision: every declaration by name, sorted; the platform's
 * settings ({@code platform.yaml}); and the kinds known offline (built in and the repo's CRDs).
 */
public record Platform(String revision, Map<String, Service> services, Map<String, Environment> environments,
    Map<String, Cluster> clusters, Map<String, Policy> policies, Map<String, Team> teams, Settings settings,
    ApiKinds kinds) {

  /** Namespaces no team may ever write, whatever the platform says: Paved's own and Kubernetes'. */
  public static final List<String> BUILTIN_RESERVED = List.of("paved-system", "default", "kube-*");

  public Platform {
    services = Collections.unmodifiableMap(new TreeMap<>(services));
    environments = Collections.unmodifiableMap(new TreeMap<>(environments));
    clusters = Collections.unmodifiableMap(new TreeMap<>(clusters));
    policies = Collections.unmodifiableMap(new TreeMap<>(policies));
    teams = Collections.unmodifiableMap(new TreeMap<>(teams));
    settings = settings == null ? Settings.NONE : settings;
    kinds = kinds == null ? ApiKinds.builtin() : kinds;
  }

  /** Whether {@code service} runs in {@code environment}. */
  public boolean deploys(Service service, String environment) {
    return service.environments() == null || service.environments().contains(environment);
  }

  /** One service in one environment it runs in. */
  public record Deployment(Service service, Environment environment) {}

  /** Every (service, environment) pair that runs, environments then services in their map order. */
  public List<Deployment> deployments() {
    List<Deployment> out = new ArrayList<>();
    for (Environment env : environments().values()) {
      for (Service svc : services().values()) {
        if (deploys(svc, env.name())) {
          out.add(new Deployment(svc, env));
        }
      }
    }
    return out;
  }

  public Optional<Team> team(String name) {
    return Optional.ofNullable(teams.get(name));
  }

  /** The team of {@code service} (every service's team is declared in a valid platform). */
  public Team teamOf(Service service) {
    return teams.get(service.team());
  }

  /**
   * The namespaces {@code team} may write in {@code environment}: those its file lists for the
   * environment ({@code {team}} and {@code {env}} expanded), else what the environment's pattern
   * gives the team's services there.
   */
  public Set<String> namespaces(Team team, Environment environment) {
    Set<String> out = new TreeSet<>();
    List<String> declared = team.namespaces().get(environment.name());
    if (declared != null) {
      declared.forEach(p -> out.add(expand(p, team.name(), environment.name(), null)));
      return out;
    }
    String pattern = environment.namespacePattern();
    if (!pattern.contains("{service}")) {
      out.add(expand(pattern, team.name(), environment.name(), null));
      return out;
    }
    for (Service s : services.values()) {
      if (s.team().equals(team.name()) && deploys(s, environment.name())) {
        out.add(expand(pattern, team.name(), environment.name(), s.name()));
      }
    }
    return out;
  }

  /** A namespace pattern with its placeholders replaced ({@code service} may be null). */
  public static String expand(String pattern, String team, String environment, String service) {
    String s = pattern.replace("{team}", team).replace("{env}", environment);
    return service == null ? s : s.replace("{service}", service);
  }

  /** Whether no team may write in {@code namespace}: built in ({@link #BUILTIN_RESERVED}) or listed in platform.yaml. */
  public boolean reserved(String namespace) {
    return reservedBy(namespace).isPresent();
  }

  /** The reserved-namespace entry that {@code namespace} matches, if any. */
  public Optional<String> reservedBy(String namespace) {
    // Asked for every rendered object: no copies of the patterns.
    Optional<String> builtin = reservedIn(BUILTIN_RESERVED, namespace);
    return builtin.isPresent() ? builtin : reservedIn(settings.reservedNamespaces(), namespace);
  }

  private static Optional<String> reservedIn(List<String> patterns, String namespace) {
    for (String r : patterns) {
      int prefix = r.length() - 1;
      if (r.endsWith("*") ? namespace.regionMatches(0, r, 0, prefix) : namespace.equals(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The reserved namespaces, built-in ones first, as a sentence fragment. */
  public String reservedList() {
    List<String> all = new java.util.ArrayList<>(BUILTIN_RESERVED);
    all.addAll(settings.reservedNamespaces());
    return String.join(", ", all);
  }
}
