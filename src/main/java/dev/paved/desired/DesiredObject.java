package dev.paved.desired;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Location;
import java.util.Map;

/**
 * One object of the desired state: its key, its manifest, the service it belongs to (null
 * for environment-level objects such as Namespaces), and where it was declared. {@code
 * fields} maps JSON pointers inside the manifest to the config line that produced them, so
 * a policy finding on {@code /spec/replicas} points at the {@code replicas:} line of the
 * override. A pointer may carry an aspect after {@code #} (e.g. {@code .../image#tag}).
 */
public record DesiredObject(ObjectKey key, ObjectNode manifest, String service, Location origin,
    Map<String, Location> fields) {

  public DesiredObject {
    fields = Map.copyOf(fields);
  }

  /** A copy of the manifest (the record's own tree is never handed out for writing). */
  public ObjectNode copy() {
    return manifest.deepCopy();
  }

  /** Where the manifest node at {@code pointer} was declared: its nearest located ancestor. */
  public Location locate(String pointer) {
    String p = pointer;
    while (!p.isEmpty()) {
      Location l = fields.get(p);
      if (l != null) {
        return l;
      }
      int hash = p.indexOf('#');
      p = hash >= 0 ? p.substring(0, hash) : p.substring(0, p.lastIndexOf('/'));
    }
    return origin;
  }

  /** The manifest as deterministic YAML. */
  public String yaml() {
    return Manifests.toYaml(manifest);
  }
}
