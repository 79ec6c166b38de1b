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
    objects = java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted(objects)));
  }

  /**
   * {@code objects} in apply order ({@link ObjectKey#compareTo}), equal keys in the given order.
   * Grouped by everything the order compares before the name (kind, API group, namespace: a few
   * groups), the groups sorted, then each group by name: a renderer gives each group's objects
   * sorted by name already (its services in order), so that sort only checks them. Sorts on this
   * thread: never Arrays.parallelSort here, it runs on the JVM's common pool, which the core does
   * not use (its caller gives it Workers), and inside the renderer's parallel work on that pool it
   * livelocked the JDK 17 pool (RendererTest.largeEnvironmentsRenderSideBySideOnTwoWorkers).
   */
  private static DesiredObject[] sorted(List<DesiredObject> objects) {
    Map<ObjectKey, List<DesiredObject>> groups = new java.util.HashMap<>();
    for (DesiredObject o : objects) {
      ObjectKey k = o.key();
      // the group part of the apiVersion only ("apps/" for apps/v1, "/" for v1): versions of one group sort together
      groups.computeIfAbsent(new ObjectKey(k.group() + "/", k.kind(), k.namespace(), ""), g -> new java.util.ArrayList<>())
          .add(o);
    }
    List<ObjectKey> order = new java.util.ArrayList<>(groups.keySet());
    order.sort(null);
    DesiredObject[] out = new DesiredObject[objects.size()];
    int i = 0;
    for (ObjectKey g : order) {
      List<DesiredObject> group = groups.get(g);
      group.sort(BY_NAME);
      for (DesiredObject o : group) {
        out[i++] = o;
      }
    }
    return out;
  }

  private static final java.util.Comparator<DesiredObject> BY_NAME = (a, b) -> a.key().name().compareTo(b.key().name());

  public Optional<DesiredObject> find(ObjectKey key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  public List<DesiredObject> ofService(String service) {
    return objects.stream().filter(o -> service.equals(o.service())).toList();
  }
}
