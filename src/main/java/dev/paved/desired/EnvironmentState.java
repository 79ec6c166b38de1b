package dev.paved.desired;

import java.util.List;
import dev.paved.config.Declarations.Team.Identity;
import java.util.Map;
import java.util.Optional;

/**
 * The desired objects of one environment (a target: cluster + namespaces), in apply order, and
 * whom Paved acts as for each team's objects ({@code identities}: team → identity; a team not in
 * it, and every object of no service, is written as Paved itself).
 */
public record EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects,
    Map<String, Identity> identities) {

  /** A state whose objects are all written as Paved itself. */
  public EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects) {
    this(environment, tier, cluster, objects, Map.of());
  }

  public EnvironmentState {
    identities = Map.copyOf(identities);
    // Apply order, by a stable sort on this thread. Never Arrays.parallelSort here: it runs on
    // the JVM's common pool, which the core does not use (its caller gives it Workers), and
    // inside the renderer's parallel work on that pool it livelocked the JDK 17 pool
    // (RendererTest.largeEnvironmentsRenderSideBySideOnTwoWorkers).
    DesiredObject[] sorted = grouped(objects);
    java.util.Arrays.sort(sorted, (a, b) -> a.key().compareTo(b.key()));
    objects = java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted));
  }

  /**
   * {@code objects} grouped by everything the apply order compares before the name (kind, group,
   * namespace), groups in that order, each in the given order: a renderer gives each group's
   * objects mostly sorted by name already (its services in order), so the sort that follows finds
   * long runs and does little more than check them. The same order of equal keys as the input.
   */
  private static DesiredObject[] grouped(List<DesiredObject> objects) {
    java.util.TreeMap<ObjectKey, List<DesiredObject>> groups = new java.util.TreeMap<>();
    for (DesiredObject o : objects) {
      ObjectKey k = o.key();
      groups.computeIfAbsent(new ObjectKey(k.apiVersion(), k.kind(), k.namespace(), ""), g -> new java.util.ArrayList<>())
          .add(o);
    }
    DesiredObject[] out = new DesiredObject[objects.size()];
    int i = 0;
    for (List<DesiredObject> group : groups.values()) {
      for (DesiredObject o : group) {
        out[i++] = o;
      }
    }
    return out;
  }

  public Optional<DesiredObject> find(ObjectKey key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  public List<DesiredObject> ofService(String service) {
    return objects.stream().filter(o -> service.equals(o.service())).toList();
  }
}
