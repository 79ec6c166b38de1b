package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The server-side apply requests the engine sends, and how it reads a refusal: the manifest Paved
 * applies ({@link #prepared}), a dry run of it, a real (forced) apply through a {@link
 * Writers.Writer} (the raw {@link ApplyRequests} for built-in kinds, Fabric8's own apply for the
 * rest), every object addressed in its own namespace, and the apiserver's own message of a refused
 * request ({@link #reason}).
 */
final class ServerSideApply {

  private ServerSideApply() {}

  /**
   * The manifest Paved applies: the desired one plus {@code paved.dev/applied-hash}, a hash of
   * its content. A field removed from git leaves the live object a superset of the desired
   * one; the changed hash is what tells that an apply (which removes the field) is due.
   */
  static ObjectNode prepared(DesiredObject o) {
    ObjectNode m = o.copy();
    String hash = sha256(Comparison.withoutVolatile(m).toString());
    ((ObjectNode) m.get("metadata")).with("annotations").put(Labels.APPLIED_HASH, hash);
    return m;
  }

  /** What applying {@code manifest} (forced, as {@code fieldManager}) would leave live; throws the refusal. */
  static JsonNode dryRun(KubernetesClient client, JsonNode manifest, String fieldManager) {
    return Manifests.toTree(target(client, manifest).dryRun().fieldManager(fieldManager).forceConflicts()
        .serverSideApply());
  }

  /** Applies {@code manifest} (forced, as {@code fieldManager}) as {@code writer}; throws the refusal. */
  static void apply(Writers.Writer writer, ObjectKey key, ObjectNode manifest, String fieldManager) {
    Optional<String> path = writer.requests().path(key);
    if (path.isPresent()) {
      writer.requests().apply(path.get(), manifest, fieldManager);
    } else {
      target(writer.client(), manifest).fieldManager(fieldManager).forceConflicts().serverSideApply();
    }
  }

  /** The apiserver's own message, which names the field and the problem. */
  static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * The object addressed in its own namespace. Fabric8's {@code client.resource(item)} puts the
   * item in the client's namespace when one was set on the client ({@code inNamespace}),
   * silently ignoring the item's own: every object is addressed explicitly.
   */
  private static Resource<GenericKubernetesResource> target(KubernetesClient client, JsonNode manifest) {
    GenericKubernetesResource g = Manifests.toTyped(manifest, GenericKubernetesResource.class);
    var resource = client.resource(g);
    String ns = g.getMetadata() == null ? null : g.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? resource : resource.inNamespace(ns);
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
