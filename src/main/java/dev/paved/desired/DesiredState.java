package dev.paved.desired;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Everything a commit asks for: the desired objects of each environment. */
public record DesiredState(String revision, Map<String, EnvironmentState> environments) {

  public DesiredState {
    environments = Collections.unmodifiableMap(new TreeMap<>(environments));
  }

  public Optional<EnvironmentState> environment(String name) {
    return Optional.ofNullable(environments.get(name));
  }
}
