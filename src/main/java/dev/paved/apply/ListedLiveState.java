package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads live objects with one LIST per kind and namespace instead of a GET per object, for the
 * one-shot commands ({@code paved apply}, {@code paved plan}): the first {@link #get} of a
 * (kind, namespace) lists every object of that kind in that namespace (pages of 500), and the
 * later ones answer from that list. What the command plans to touch ({@code planned}) decides:
 * a (kind, namespace) with a single planned object, and any object not planned (a prune),
 * is read with a GET, as {@link DirectLiveState} does; so is a kind the caller may get but not
 * list (403). Unlike the daemon's watch cache, no label selector: an object that exists
 * without Paved's labels is seen, as a GET sees it.
 *
 * <p>One instance per command: the lists are read once and not refreshed.
 */
public final class ListedLiveState implements LiveState {

  /** A kind in a namespace ({@code null} for cluster-scoped kinds). */
  private record Group(String apiVersion, String kind, String namespace) {
    static Group of(ObjectKey key) {
      return new Group(key.apiVersion(), key.kind(), key.namespace());
    }
  }


  private final KubernetesClient client;
  private final long page;
  private final DirectLiveState direct;
  private final Set<ObjectKey> planned;
  private final Map<Group, Integer> perGroup = new HashMap<>();
  private final Map<Group, CompletableFuture<Map<String, GenericKubernetesResource>>> lists =
      new ConcurrentHashMap<>();

  public ListedLiveState(KubernetesClient client, Collection<ObjectKey> planned) {
    this(client, planned, 500);
  }

  /** With pages of {@code page} objects (tests make them small). */
  ListedLiveState(KubernetesClient client, Collection<ObjectKey> planned, long page) {
    this.client = client;
    this.page = page;
    this.direct = new DirectLiveState(client);
    this.planned = Set.copyOf(planned);
    this.planned.forEach(k -> perGroup.merge(Group.of(k), 1, Integer::sum));
  }

  @Override
  public Optional<JsonNode> get(ObjectKey key) {
    Group group = Group.of(key);
    if (!planned.contains(key) || perGroup.getOrDefault(group, 0) < 2) {
      return direct.get(key);
    }
    Map<String, GenericKubernetesResource> listed = listed(group);
    if (listed == null) { // listing is not allowed: one GET per object
      return direct.get(key);
    }
    return Optional.ofNullable(listed.get(key.name()))
        .map(o -> InformerLiveState.tree(new InformerLiveState.Kind(key.apiVersion(), key.kind()), o));
  }

  /** The group's objects by name (listed once, by the first caller; the others wait), or null when forbidden. */
  private Map<String, GenericKubernetesResource> listed(Group group) {
    CompletableFuture<Map<String, GenericKubernetesResource>> mine = new CompletableFuture<>();
    CompletableFuture<Map<String, GenericKubernetesResource>> f = lists.putIfAbsent(group, mine);
    if (f == null) {
      f = mine;
      try {
        mine.complete(list(group));
      } catch (RuntimeException e) {
        lists.remove(group, mine); // not remembered: a later get tries again
        mine.completeExceptionally(e);
      }
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private Map<String, GenericKubernetesResource> list(Group group) {
    var op = client.genericKubernetesResources(group.apiVersion(), group.kind());
    Map<String, GenericKubernetesResource> out = new HashMap<>();
    String next = null;
    try {
      do {
        var options = new ListOptionsBuilder().withLimit(page).withContinue(next).build();
        GenericKubernetesResourceList items = group.namespace() == null ? op.list(options)
            : op.inNamespace(group.namespace()).list(options);
        items.getItems().forEach(o -> out.put(o.getMetadata().getName(), o));
        next = items.getMetadata() == null ? null : items.getMetadata().getContinue();
      } while (next != null && !next.isEmpty());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
        return null;
      }
      throw e;
    }
    return out;
  }
}
