package dev.paved.config;

import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Policy;
import dev.paved.config.Declarations.Service;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A whole, valid config repo at one revision: every declaration by name, sorted. */
public record Platform(String revision, Map<String, Service> services, Map<String, Environment> environments,
    Map<String, Cluster> clusters, Map<String, Policy> policies) {

  public Platform {
    services = Collections.unmodifiableMap(new TreeMap<>(services));
    environments = Collections.unmodifiableMap(new TreeMap<>(environments));
    clusters = Collections.unmodifiableMap(new TreeMap<>(clusters));
    policies = Collections.unmodifiableMap(new TreeMap<>(policies));
  }

  /** Whether {@code service} runs in {@code environment}. */
  public boolean deploys(Service service, String environment) {
    return service.environments() == null || service.environments().contains(environment);
  }
}
