package dev.paved.policy;

import dev.paved.desired.DesiredObject;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** The container images a set of objects runs (every workload kind, rendered or raw). */
public final class Images {

  private Images() {}

  /** The images of every container and init container of {@code objects}, sorted, without duplicates. */
  public static SortedSet<String> of(List<DesiredObject> objects) {
    SortedSet<String> out = new TreeSet<>();
    for (PodSpecs.ContainerRef c : PodSpecs.containers(objects)) {
      if (!c.image().isEmpty()) {
        out.add(c.image());
      }
    }
    return out;
  }
}
