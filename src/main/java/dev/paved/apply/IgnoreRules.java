package dev.paved.apply;

import dev.paved.config.ServiceSpec.IgnoreDifference;
import dev.paved.config.Workload;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.RenderResult;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which declared fields of an object are not drift ({@code ignoreDifferences} of its service):
 * JSON pointers, each covering everything below it.
 */
@FunctionalInterface
public interface IgnoreRules {

  /** The ignored pointers of {@code object} (empty when none). */
  Set<String> ignored(DesiredObject object);

  static IgnoreRules none() {
    return o -> Set.of();
  }

  /** The {@code ignoreDifferences} of the workloads of {@code environment} in {@code rendered}. */
  static IgnoreRules of(RenderResult rendered, String environment) {
    return of(rendered.workloads().stream().filter(w -> w.environment().name().equals(environment)).toList());
  }

  /** The {@code ignoreDifferences} of {@code workloads} (one environment's), by service. */
  static IgnoreRules of(Collection<Workload> workloads) {
    Map<String, List<IgnoreDifference>> byService = new HashMap<>();
    for (Workload w : workloads) {
      if (!w.spec().ignoreDifferences().isEmpty()) {
        byService.put(w.name(), w.spec().ignoreDifferences());
      }
    }
    if (byService.isEmpty()) {
      return none();
    }
    return o -> {
      List<IgnoreDifference> rules = o.service() == null ? null : byService.get(o.service());
      if (rules == null) {
        return Set.of();
      }
      Set<String> out = new TreeSet<>();
      rules.stream().filter(r -> r.matches(o.key().kind(), o.key().name())).forEach(r -> out.addAll(r.jsonPointers()));
      return out;
    };
  }

  /** {@code pointers} without those equal to or below an ignored pointer. */
  static List<String> without(List<String> pointers, Set<String> ignored) {
    if (ignored.isEmpty()) {
      return pointers;
    }
    return pointers.stream().filter(p -> ignored.stream().noneMatch(i -> covers(i, p))).toList();
  }

  /** Whether {@code ignored} is {@code pointer} or one of its ancestors. */
  static boolean covers(String ignored, String pointer) {
    String i = ignored.endsWith("/") ? ignored.substring(0, ignored.length() - 1) : ignored;
    return i.isEmpty() || pointer.equals(i) || pointer.startsWith(i + "/");
  }
}
