package dev.paved.desired;

import java.util.List;
import java.util.Optional;

/** The desired objects of one environment (a target: cluster + namespaces), in apply order. */
public record EnvironmentState(String environment, String tier, String cluster, List<DesiredObject> objects) {

  public EnvironmentState {
    objects = objects.stream().sorted(java.util.Comparator.comparing(DesiredObject::key)).toList();
  }

  public Optional<DesiredObject> find(ObjectKey key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  public List<DesiredObject> ofService(String service) {
    return objects.stream().filter(o -> service.equals(o.service())).toList();
  }
}
