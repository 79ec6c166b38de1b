package dev.paved.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.DesiredObject;
import java.util.List;
import java.util.Map;

/** Finds the containers of any workload kind, rendered or raw, with their JSON pointers. */
final class PodSpecs {

  private static final Map<String, String> POD_SPEC = Map.of(
      "Deployment", "/spec/template/spec",
      "StatefulSet", "/spec/template/spec",
      "DaemonSet", "/spec/template/spec",
      "ReplicaSet", "/spec/template/spec",
      "Job", "/spec/template/spec",
      "CronJob", "/spec/jobTemplate/spec/template/spec",
      "Pod", "/spec");

  /** The same pointers, parsed once. */
  private static final Map<String, com.fasterxml.jackson.core.JsonPointer> POD_SPEC_POINTER = POD_SPEC.entrySet()
      .stream().collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey,
          e -> com.fasterxml.jackson.core.JsonPointer.compile(e.getValue())));

  /**
   * A container of an object: the pointer of its list, its index there, whether it is an init
   * container, its JSON. Rules look at every container of every object and need the pointer only
   * for a violation: it is made when asked for.
   */
  record ContainerRef(DesiredObject object, String list, int index, boolean init, JsonNode json) {
    String pointer() {
      return list + "/" + index;
    }

    String name() {
      return json.path("name").asText();
    }

    String image() {
      return json.path("image").asText("");
    }
  }

  private PodSpecs() {}

  /** Long-running controllers, whose containers should have probes. */
  static boolean longRunning(DesiredObject o) {
    String k = o.key().kind();
    return k.equals("Deployment") || k.equals("StatefulSet") || k.equals("DaemonSet");
  }

  /** The pointers of the container lists of each kind's pod spec, made once. */
  private static final Map<String, String> CONTAINERS = POD_SPEC.entrySet().stream().collect(
      java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue() + "/containers"));
  private static final Map<String, String> INIT_CONTAINERS = POD_SPEC.entrySet().stream().collect(
      java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue() + "/initContainers"));

  /** The containers and init containers of {@code objects}, in object order. */
  static List<ContainerRef> containers(List<DesiredObject> objects) {
    List<ContainerRef> out = new java.util.ArrayList<>();
    for (DesiredObject o : objects) {
      addContainers(out, o);
    }
    return java.util.Collections.unmodifiableList(out);
  }

  /** Adds the containers of {@code o}, then its init containers, to {@code out}. */
  private static void addContainers(List<ContainerRef> out, DesiredObject o) {
    String kind = o.key().kind();
    com.fasterxml.jackson.core.JsonPointer spec = POD_SPEC_POINTER.get(kind);
    if (spec == null) {
      return;
    }
    JsonNode pod = o.manifest().at(spec);
    add(out, o, pod.path("containers"), CONTAINERS.get(kind), false);
    add(out, o, pod.path("initContainers"), INIT_CONTAINERS.get(kind), true);
  }

  private static void add(List<ContainerRef> out, DesiredObject o, JsonNode list, String pointer, boolean init) {
    for (int i = 0; i < list.size(); i++) {
      out.add(new ContainerRef(o, pointer, i, init, list.get(i)));
    }
  }

  /** Splits an image reference into repository, tag (or null) and digest (or null). */
  record ImageRef(String repository, String tag, String digest) {
    static ImageRef parse(String image) {
      String rest = image;
      String digest = null;
      int at = rest.indexOf('@');
      if (at >= 0) {
        digest = rest.substring(at + 1);
        rest = rest.substring(0, at);
      }
      String tag = null;
      int colon = rest.lastIndexOf(':');
      if (colon > rest.lastIndexOf('/')) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      return new ImageRef(rest, tag, digest);
    }

    /** The repository with Docker Hub's implied registry made explicit. */
    String normalized() {
      String first = repository.contains("/") ? repository.substring(0, repository.indexOf('/')) : "";
      boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
      if (hasRegistry) {
        return repository;
      }
      return "docker.io/" + (repository.contains("/") ? repository : "library/" + repository);
    }
  }
}
