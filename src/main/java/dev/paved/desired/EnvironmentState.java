package dev.paved.desired;

import java.util.List;
import java.util.Optional;

/** The desired objects of one environment (a target: cluster + namespaces), in apply order. */
public record EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects) {

  public EnvironmentState {
    // Apply order. An environment holds tens of thousands of objects: the sort uses every core
    // (a stable merge sort, like the sequential one).
    DesiredObject[] sorted = objects.toArray(new DesiredObject[0]);
    java.util.Arrays.parallelSort(sorted, (a, b) -> a.key().compareTo(b.key()));
    objects = java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted));
  }

  public Optional<DesiredObject> find(ObjectKey key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  public List<DesiredObject> ofService(String service) {
    return objects.stream().filter(o -> service.equals(o.service())).toList();
  }
}
