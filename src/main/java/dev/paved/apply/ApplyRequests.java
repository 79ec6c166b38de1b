package dev.paved.apply;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Server-side apply of a manifest that is already JSON, through the client's own HTTP client:
 * the body is serialized once and the response (the whole applied object, which Paved does not
 * need) is not parsed. At a thousand services this halves the JVM's CPU per object, which on a
 * small machine is CPU the apiserver gets back. Used for built-in kinds; anything Fabric8 does
 * not know (custom resources) goes through Fabric8's own apply.
 */
final class ApplyRequests {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json";

  private final KubernetesClient client;
  private final Map<String, Optional<String>> plurals = new ConcurrentHashMap<>();

  ApplyRequests(KubernetesClient client) {
    this.client = client;
  }

  /** The REST path of {@code key}, when its kind is a built-in Fabric8 knows. */
  Optional<String> path(ObjectKey key) {
    Optional<String> plural = plurals.computeIfAbsent(key.apiVersion() + "/" + key.kind(), k -> {
      Class<? extends KubernetesResource> type = client.getKubernetesSerialization()
          .getRegisteredKubernetesResource(key.apiVersion(), key.kind());
      if (type == null || !HasMetadata.class.isAssignableFrom(type)) {
        return Optional.empty();
      }
      @SuppressWarnings("unchecked")
      Class<? extends HasMetadata> resource = (Class<? extends HasMetadata>) type;
      return Optional.of(HasMetadata.getPlural(resource));
    });
    return plural.map(p -> (key.group().isEmpty() ? "api/" : "apis/") + key.apiVersion()
        + (key.namespace() == null ? "" : "/namespaces/" + encode(key.namespace())) + "/" + p + "/" + encode(key.name()));
  }

  /** Applies {@code manifest} (forced, as {@code fieldManager}); throws the apiserver's refusal. */
  void apply(String path, ObjectNode manifest, String fieldManager) {
    String base = client.getMasterUrl().toString();
    // fieldValidation=Ignore: under the default (Warn) and Strict, the apiserver decodes every
    // apply body a second time, strictly, and for an apply that decode can only find duplicate
    // keys, which a body serialized from a JSON tree cannot have. Fields the object's schema does
    // not declare are refused by server-side apply itself under every directive (TargetSyncIT).
    // The second decode was about 8 % of the control plane's CPU per apply (engine benchmark).
    String url = base + (base.endsWith("/") ? "" : "/") + path + "?fieldManager=" + encode(fieldManager)
        + "&force=true&fieldValidation=Ignore";
    // Only the applied object's metadata comes back (PartialObjectMetadata): the apiserver
    // encodes and sends a fraction of the object, and errors still come as a JSON Status.
    HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
        .setHeader("Accept", METADATA_ONLY)
        .method("PATCH", "application/apply-patch+yaml", manifest.toString()).build();
    HttpResponse<byte[]> response;
    try {
      response = client.getHttpClient().sendAsync(request, byte[].class).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while applying " + path, e);
    } catch (ExecutionException e) {
      throw new KubernetesClientException("cannot apply " + path + ": " + e.getCause().getMessage(), e.getCause());
    }
    if (response.code() >= 400) {
      Status status;
      try {
        status = JSON.readValue(response.body(), Status.class);
      } catch (Exception e) {
        status = new Status();
        status.setCode(response.code());
        status.setMessage("HTTP " + response.code() + ": " + new String(response.body(), StandardCharsets.UTF_8));
      }
      throw new KubernetesClientException(status);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
