package dev.paved.config;

import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.Service;
import java.util.Map;

/**
 * A service as it runs in one environment: the merged, placeholder-expanded spec, its
 * namespace, and where each field of the spec was declared ({@link #locate(String)}).
 */
public record Workload(Service service, Environment environment, Cluster cluster, ServiceSpec spec,
    String namespace, Map<String, Location> origins) {

  public Workload {
    origins = Map.copyOf(origins);
  }

  public String name() {
    return service.name();
  }

  public String team() {
    return spec.team();
  }

  /** Where the spec field at {@code pointer} (e.g. {@code /image/tag}) was declared. */
  public Location locate(String pointer) {
    String p = pointer;
    while (!p.isEmpty()) {
      Location l = origins.get(p);
      if (l != null) {
        return l;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
    return service.document().location();
  }
}
