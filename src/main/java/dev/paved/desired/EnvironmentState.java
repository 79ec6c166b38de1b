package dev.paved.desired;

import java.util.List;
import java.util.Optional;

/** The desired objects of one environment (a target: cluster + namespaces), in apply order. */
public record EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects) {

  public EnvironmentState {
    // Apply order, by a stable sort on this thread. Never Arrays.parallelSort here: it runs on
    // the JVM's common pool, which the core does not use (its caller gives it Workers), and
    // inside the renderer's parallel work on that pool it livelocked the JDK 17 pool
    // (RendererTest.largeEnvironmentsRenderSideBySideOnTwoWorkers).
    DesiredObject[] sorted = objects.toArray(new DesiredObject[0]);
    java.util.Arrays.sort(sorted, (a, b) -> a.key().compareTo(b.key()));
    objects = java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted));
  }

  public Optional<DesiredObject> find(ObjectKey key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  public List<DesiredObject> ofService(String service) {
    return objects.stream().filter(o -> service.equals(o.service())).toList();
  }
}
