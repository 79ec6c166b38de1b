package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.CompactNodeFactory;
import dev.paved.config.Diagnostic;
import dev.paved.config.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a render made of each (environment, service) pair: the workload (absent when it could not
 * be resolved), the problems found resolving it, and its objects. A later render of a platform
 * whose environments, clusters and kinds are the same takes the pieces of the services that did
 * not change from here ({@link Renderer#render(dev.paved.config.Platform, String,
 * dev.paved.config.Workers, Pieces, java.util.function.Predicate)}): the very same workloads, and
 * objects that share every node but the commit annotation ({@link #restamp}). Immutable.
 */
public final class Pieces {

  private static final Pieces NONE = new Pieces(Map.of());

  /** One pair's share of a render. */
  record Piece(Workload workload, List<Diagnostic> problems, List<DesiredObject> objects) {
    Piece {
      problems = List.copyOf(problems);
      objects = Collections.unmodifiableList(objects);
    }
  }

  /** environment → service → piece. */
  private final Map<String, Map<String, Piece>> byEnvironment;

  private Pieces(Map<String, Map<String, Piece>> byEnvironment) {
    this.byEnvironment = byEnvironment;
  }

  /** No pieces: everything is rendered. */
  public static Pieces none() {
    return NONE;
  }

  /** The piece of {@code service} in {@code environment}, or null. */
  Piece get(String environment, String service) {
    Map<String, Piece> in = byEnvironment.get(environment);
    return in == null ? null : in.get(service);
  }

  /** How many pairs are held. */
  public int size() {
    return byEnvironment.values().stream().mapToInt(Map::size).sum();
  }

  /** Collects the pieces of one render. */
  static final class Builder {
    private final Map<String, Map<String, Piece>> byEnvironment = new HashMap<>();

    void put(String environment, String service, Piece piece) {
      byEnvironment.computeIfAbsent(environment, k -> new HashMap<>()).put(service, piece);
    }

    Pieces build() {
      return new Pieces(byEnvironment);
    }
  }

  /** {@code piece} as rendered at {@code commit}: its objects restamped, all else the same. */
  static Piece at(Piece piece, String commit) {
    List<DesiredObject> objects = new ArrayList<>(piece.objects().size());
    for (DesiredObject o : piece.objects()) {
      objects.add(restamp(o, commit));
    }
    return new Piece(piece.workload(), piece.problems(), objects);
  }

  /**
   * {@code o} with its {@value Labels#SOURCE_COMMIT} annotation set to {@code commit}: new nodes for
   * the object, its metadata and its annotations only (same field order); every other node is
   * shared with {@code o}. {@code o} itself when it already says {@code commit} or has no such
   * annotation.
   */
  static DesiredObject restamp(DesiredObject o, String commit) {
    ObjectNode root = o.manifest();
    if (!(root.get("metadata") instanceof ObjectNode meta) || !(meta.get("annotations") instanceof ObjectNode ann)
        || !ann.has(Labels.SOURCE_COMMIT) || commit.equals(ann.get(Labels.SOURCE_COMMIT).asText())) {
      return o;
    }
    ObjectNode newAnn = replacing(ann, Labels.SOURCE_COMMIT, ann.textNode(commit));
    ObjectNode newMeta = replacing(meta, "annotations", newAnn);
    return new DesiredObject(o.key(), replacing(root, "metadata", newMeta), o.service(), o.origin(), o.fields());
  }

  private static ObjectNode replacing(ObjectNode o, String field, JsonNode value) {
    ObjectNode copy = CompactNodeFactory.INSTANCE.objectNode(o.size());
    o.fields().forEachRemaining(e -> copy.set(e.getKey(), e.getKey().equals(field) ? value : e.getValue()));
    return copy;
  }
}
