package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one object drifted from git, for {@link DriftWatcher}: the live object (from the watch
 * cache, else from the apiserver) compared with the desired one over the fields Paved declares
 * ({@link Comparison#differences}, less {@link IgnoreRules}), the differences confirmed by a
 * server-side dry run, and attributed to the field managers that made them ({@link
 * DriftAttribution}). Reads only; acting on a drift is the watcher's.
 */
final class DriftDetector {

  private static final Logger LOG = LoggerFactory.getLogger(DriftDetector.class);

  /**
   * What one check found: the live resourceVersion ({@code ""} when absent), whether the object
   * is still pending (applied from another commit: the sync of this one has not reached it yet),
   * and the drifted fields (empty when none) with the managers that changed them.
   */
  record Finding(String resourceVersion, boolean pending, List<String> fields, List<String> managers) {}

  private final InformerLiveState cache;
  private final DirectLiveState direct;
  private final ResourceManager manager;
  private final String fieldManager;

  DriftDetector(InformerLiveState cache, ResourceManager manager, String fieldManager) {
    this.cache = cache;
    this.direct = new DirectLiveState(manager.client());
    this.manager = manager;
    this.fieldManager = fieldManager;
  }

  /**
   * Checks {@code desiredObject} ({@code desired}: its prepared manifest) against the cluster;
   * empty when the object cannot be read (logged).
   */
  Optional<Finding> check(DesiredObject desiredObject, ObjectNode desired, IgnoreRules ignore) {
    var key = desiredObject.key();
    JsonNode live;
    try {
      live = cache.get(key).orElse(null);
      if (live == null) {
        // Absent from the cache: deleted, or no longer carrying Paved's labels (which the
        // selector needs): only the apiserver can tell.
        live = direct.get(key).orElse(null);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read {} to check it for drift: {}", key, e.getMessage());
      return Optional.empty();
    }
    String rv = live == null ? "" : live.path("metadata").path("resourceVersion").asText();
    List<String> fields;
    if (live == null) {
      fields = List.of("/");
    } else {
      String applied = live.path("metadata").path("annotations").path(Labels.APPLIED_HASH).asText();
      String wanted = desired.path("metadata").path("annotations").path(Labels.APPLIED_HASH).asText();
      if (!applied.isEmpty() && !applied.equals(wanted)) {
        return Optional.of(new Finding(rv, true, List.of(), List.of()));
      }
      Set<String> ignored = ignore.ignored(desiredObject);
      fields = confirmed(desiredObject, ignored, live, IgnoreRules.without(Comparison.differences(desired, live),
          ignored));
    }
    List<String> managers = live == null || fields.isEmpty() ? List.of()
        : DriftAttribution.managers(live, fields, fieldManager);
    return Optional.of(new Finding(rv, false, fields, managers));
  }

  /**
   * The local differences {@code fields} that a server-side dry run of git's object confirms:
   * none when applying it would change nothing (the apiserver only stores a value in another
   * form, e.g. an empty list dropped); all of them when the apiserver refuses the dry run.
   */
  private List<String> confirmed(DesiredObject desired, Set<String> ignored, JsonNode live, List<String> fields) {
    if (fields.isEmpty()) {
      return fields;
    }
    ResourceManager.ObjectDiff d = manager.diff(desired, ignored, live);
    return switch (d.action()) {
      case UNCHANGED -> List.of();
      case CONFIGURED -> {
        List<String> changed = fields.stream().filter(p -> !Comparison.sameAt(d.after(), live, p)).toList();
        yield changed.isEmpty() ? fields : changed;
      }
      default -> fields;
    };
  }
}
