package dev.paved.apply;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.ServiceSpec.IgnoreDifference;
import dev.paved.config.Workload;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.RenderResult;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which declared fields of an object are not drift ({@code ignoreDifferences} of its service):
 * JSON pointers, each covering everything below it. They are neither reported nor corrected, and
 * an apply (of a new commit, or a correction) leaves them as they are live ({@link #keepLive}).
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

  /**
   * {@code manifest} with each ignored field it declares set to its live value, or left out when
   * the live object lacks it, as Argo CD's {@code RespectIgnoreDifferences} does: applying it
   * leaves the ignored fields as they are. Within an ignored map only the keys Paved declares are
   * kept (it takes no others'); a list is taken whole. {@code manifest} itself when nothing is
   * ignored or the object does not exist yet (then git's values are applied). Pure.
   */
  static ObjectNode keepLive(ObjectNode manifest, Set<String> ignored, JsonNode live) {
    if (ignored.isEmpty() || live == null) {
      return manifest;
    }
    ObjectNode out = manifest.deepCopy();
    for (String raw : ignored) {
      String pointer = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
      if (pointer.isEmpty()) {
        continue; // the whole object: nothing of git's would be applied; leave it to the apiserver
      }
      JsonPointer p = JsonPointer.compile(pointer);
      JsonNode parent = out.at(p.head());
      JsonNode current = out.at(p);
      if (current.isMissingNode()) {
        continue; // not declared: nothing to keep
      }
      JsonNode kept = live.at(p);
      if (parent instanceof ObjectNode o) {
        String name = p.last().getMatchingProperty();
        if (kept.isMissingNode() || kept.isNull()) {
          o.remove(name);
        } else {
          o.set(name, declaredPart(current, kept));
        }
      } else if (parent instanceof ArrayNode a) {
        int index = p.last().getMatchingIndex();
        if (kept.isMissingNode() || kept.isNull()) {
          a.remove(index);
        } else {
          a.set(index, declaredPart(current, kept));
        }
      }
    }
    // The applied hash is git's, whatever is kept: it tells which commit the object is at.
    JsonNode hash = manifest.path("metadata").path("annotations").path(Labels.APPLIED_HASH);
    if (!hash.isMissingNode()) {
      ((ObjectNode) out.get("metadata")).with("annotations").set(Labels.APPLIED_HASH, hash);
    }
    return out;
  }

  /** The live value restricted to the keys {@code declared} holds (recursively, through maps). */
  private static JsonNode declaredPart(JsonNode declared, JsonNode live) {
    if (!declared.isObject() || !live.isObject()) {
      return live.deepCopy();
    }
    ObjectNode out = ((ObjectNode) declared).objectNode();
    declared.fieldNames().forEachRemaining(name -> {
      JsonNode l = live.get(name);
      if (l != null && !l.isNull()) {
        out.set(name, declaredPart(declared.get(name), l));
      }
    });
    return out;
  }
}
