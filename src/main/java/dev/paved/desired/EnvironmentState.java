package dev.paved.desired;

import java.util.List;
import java.util.Optional;

/** The desired objects of one environment (a target: cluster + namespaces), in apply order. */
public record EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects) {

  public EnvironmentState {
    // Apply order, by a stable sort on this thread. Never Arrays.parallelSort here: the renderer
    // builds the environments side by side in a parallel stream, and a parallel sort (a second
    // level of fork/join tasks) inside a task of the common pool livelocks the JDK 17 pool when
    // the environments are large (thousands of objects each) and the pool has two workers, as
    // the CLI's has (RendererTest.largeEnvironmentsRenderSideBySideOnAPoolOfTwo).
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
