package dev.paved.config;

import java.util.List;

/** Which (tier, environment, service, team) a policy covers; an empty list matches all. */
public record Selector(List<String> tiers, List<String> environments, List<String> services,
    List<String> teams) {

  public static final Selector ALL = new Selector(List.of(), List.of(), List.of(), List.of());

  public Selector {
    tiers = tiers == null ? List.of() : List.copyOf(tiers);
    environments = environments == null ? List.of() : List.copyOf(environments);
    services = services == null ? List.of() : List.copyOf(services);
    teams = teams == null ? List.of() : List.copyOf(teams);
  }

  public boolean isEmpty() {
    return tiers.isEmpty() && environments.isEmpty() && services.isEmpty() && teams.isEmpty();
  }

  /** True when every non-empty list contains the value given for it. */
  public boolean matches(String tier, String environment, String service, String team) {
    return in(tiers, tier) && in(environments, environment) && in(services, service) && in(teams, team);
  }

  private static boolean in(List<String> list, String value) {
    return list.isEmpty() || value != null && list.contains(value);
  }
}
