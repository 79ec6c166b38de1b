package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.Labels;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live objects of one target read from a watch cache: one Fabric8 shared informer per
 * (apiVersion, kind), over every namespace, selecting Paved's ownership labels for the target's
 * environment ({@code app.kubernetes.io/managed-by=paved,paved.dev/environment=<env>}).
 *
 * <p>{@link #get} answers from the informer's store without any request. A kind not watched yet
 * is watched on first use ({@link #get} waits until its informer has listed everything); an
 * object absent from a synced store does not exist (or no longer carries Paved's labels, which
 * for Paved is the same: it is not Paved's). Listeners ({@link #addListener}) see every change
 * the informers see, for drift detection.
 *
 * <p>The informers run on a client of their own, whose serialization knows no typed model
 * (Status aside): Fabric8 would otherwise parse every watch event into the typed class of its
 * kind (a Deployment) and convert it again into the generic resource asked for: three passes
 * over every object instead of one.
 *
 * <p>A cache lags the apiserver by the watch latency: right after a write, {@link #get} may
 * still answer the previous version (the engine then asks the apiserver with a dry-run, which is
 * always right). Close it to stop its informers.
 */
public final class InformerLiveState implements LiveState, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InformerLiveState.class);

  /** A watched resource type. */
  public record Kind(String apiVersion, String kind) {
    public static Kind of(ObjectKey key) {
      return new Kind(key.apiVersion(), key.kind());
    }
  }

  /** What an informer saw happen to a watched object. */
  public enum Change { ADDED, UPDATED, DELETED }

  /**
   * Called on the informer's thread for every change: must return quickly (hand the work to an
   * executor). {@code object} is the new state, or the last known state for {@link
   * Change#DELETED}.
   */
  @FunctionalInterface
  public interface Listener {
    void changed(Change change, ObjectKey key, GenericKubernetesResource object);
  }

  private final KubernetesClient client;
  private final String environment;
  private final Duration syncTimeout;
  private final Map<Kind, Watched> informers = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private record Watched(SharedIndexInformer<GenericKubernetesResource> informer, CompactItemStore store,
      CompletableFuture<Void> synced) {}

  public InformerLiveState(KubernetesClient client, String environment) {
    this(client, environment, Duration.ofSeconds(60));
  }

  public InformerLiveState(KubernetesClient client, String environment, Duration syncTimeout) {
    this.client = watchClient(client);
    this.environment = environment;
    this.syncTimeout = syncTimeout;
  }

  /** A client to the same cluster whose watch events are parsed straight into generic resources. */
  private static KubernetesClient watchClient(KubernetesClient client) {
    KubernetesSerialization generic = new KubernetesSerialization(new ObjectMapper(), false);
    generic.registerKubernetesResource(Status.class); // a watch's ERROR event (410 Gone) must stay a Status
    return new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withHttpClientFactory(HttpClients.factory(client.getConfiguration())).withKubernetesSerialization(generic).build();
  }

  public String environment() {
    return environment;
  }

  /** The label selector of this target's objects. */
  public Map<String, String> selector() {
    return Map.of(Labels.MANAGED_BY, Labels.MANAGER, Labels.ENVIRONMENT, environment);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  @Override
  public Optional<JsonNode> get(ObjectKey key) {
    Kind kind = Kind.of(key);
    com.fasterxml.jackson.databind.node.ObjectNode live = synced(kind).store()
        .tree(Cache.namespaceKeyFunc(key.namespace(), key.name()));
    if (live == null) {
      return Optional.empty();
    }
    live.put("apiVersion", kind.apiVersion());
    live.put("kind", kind.kind());
    return Optional.of(live);
  }

  @Override
  public Optional<String> resourceVersion(ObjectKey key) {
    return Optional.ofNullable(synced(Kind.of(key)).store().resourceVersion(Cache.namespaceKeyFunc(key.namespace(),
        key.name())));
  }

  /**
   * Watches the kinds of {@code keys} (all informers start at once) and waits until each has
   * listed its objects. Throws when one cannot (an unknown kind, no permission, a timeout).
   */
  public void watch(Collection<ObjectKey> keys) {
    Set<Kind> kinds = new LinkedHashSet<>();
    keys.forEach(k -> kinds.add(Kind.of(k)));
    kinds.forEach(this::watched); // start them all before waiting for any
    kinds.forEach(this::synced);
  }

  /** The kinds watched so far. */
  public Set<Kind> kinds() {
    return Set.copyOf(informers.keySet());
  }

  /** Every object in the cache of {@code kind} (empty when the kind is not watched). */
  public List<GenericKubernetesResource> list(Kind kind) {
    Watched w = informers.get(kind);
    return w == null ? List.of() : new ArrayList<>(w.informer().getStore().list());
  }

  private Watched watched(Kind kind) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Watched w = informers.computeIfAbsent(kind, this::start);
    if (w.informer().stopped().toCompletableFuture().isDone()) {
      // The informer gave up (its exception handler stopped it): its store is stale. Start over.
      LOG.warn("the informer of {} {} stopped; watching again", kind.apiVersion(), kind.kind());
      informers.remove(kind, w);
      w = informers.computeIfAbsent(kind, this::start);
    }
    return w;
  }

  private Watched start(Kind kind) {
    SharedIndexInformer<GenericKubernetesResource> informer = client
        .genericKubernetesResources(definition(kind))
        .inAnyNamespace()
        .withLabels(selector())
        .runnableInformer(0);
    CompactItemStore store = new CompactItemStore();
    informer.itemStore(store);
    informer.addEventHandler(new Dispatch(kind));
    CompletableFuture<Void> synced = informer.start().toCompletableFuture();
    LOG.debug("watching {} {} of environment {}", kind.apiVersion(), kind.kind(), environment);
    return new Watched(informer, store, synced);
  }

  /**
   * The kind's REST resource from the apiserver's discovery (the watch client knows no typed
   * model to take it from); a kind the apiserver does not serve (yet) cannot be watched.
   */
  private ResourceDefinitionContext definition(Kind kind) {
    APIResourceList resources = client.getApiResources(kind.apiVersion());
    if (resources != null && resources.getResources() != null) {
      for (APIResource r : resources.getResources()) {
        if (kind.kind().equals(r.getKind()) && !r.getName().contains("/")) {
          int slash = kind.apiVersion().indexOf('/');
          return new ResourceDefinitionContext.Builder()
              .withGroup(slash < 0 ? "" : kind.apiVersion().substring(0, slash))
              .withVersion(kind.apiVersion().substring(slash + 1))
              .withKind(kind.kind()).withPlural(r.getName()).withNamespaced(Boolean.TRUE.equals(r.getNamespaced()))
              .build();
        }
      }
    }
    throw new KubernetesClientException("the apiserver serves no kind " + kind.kind() + " in " + kind.apiVersion());
  }

  /**
   * The object as a tree, with its apiVersion and kind (items of a list response may lack them).
   */
  static JsonNode tree(Kind kind, GenericKubernetesResource object) {
    com.fasterxml.jackson.databind.node.ObjectNode t = Manifests.toTree(object);
    t.put("apiVersion", kind.apiVersion());
    t.put("kind", kind.kind());
    return t;
  }

  private Watched synced(Kind kind) {
    Watched w;
    try {
      w = watched(kind);
    } catch (KubernetesClientException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new KubernetesClientException("cannot watch " + kind.kind() + " (" + kind.apiVersion() + "): "
          + e.getMessage(), e);
    }
    if (w.synced().isDone() && !w.synced().isCompletedExceptionally()) {
      return w;
    }
    try {
      w.synced().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return w;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while waiting for the cache of " + kind.kind());
    } catch (ExecutionException | TimeoutException e) {
      // Forget it, so that a later call tries again (e.g. once a CRD is established).
      if (informers.remove(kind, w)) {
        w.informer().stop();
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KubernetesClientException("cannot watch " + kind.kind() + " (" + kind.apiVersion() + "): "
          + (e instanceof TimeoutException ? "not synced within " + syncTimeout : String.valueOf(cause.getMessage())),
          cause);
    }
  }

  @Override
  public void close() {
    closed = true;
    informers.values().forEach(w -> {
      try {
        w.informer().stop();
      } catch (RuntimeException e) {
        LOG.debug("stopping an informer: {}", e.toString());
      }
    });
    informers.clear();
    listeners.clear();
    client.close();
  }

  private final class Dispatch implements ResourceEventHandler<GenericKubernetesResource> {

    private final Kind kind;

    Dispatch(Kind kind) {
      this.kind = kind;
    }

    @Override
    public void onAdd(GenericKubernetesResource obj) {
      fire(Change.ADDED, obj);
    }

    @Override
    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
      fire(Change.UPDATED, newObj);
    }

    @Override
    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
      fire(Change.DELETED, obj);
    }

    private void fire(Change change, GenericKubernetesResource obj) {
      if (listeners.isEmpty() || obj == null || obj.getMetadata() == null) {
        return;
      }
      String ns = obj.getMetadata().getNamespace();
      ObjectKey key = new ObjectKey(kind.apiVersion(), kind.kind(), ns == null || ns.isEmpty() ? null : ns,
          obj.getMetadata().getName());
      for (Listener l : listeners) {
        try {
          l.changed(change, key, obj);
        } catch (RuntimeException e) {
          LOG.warn("drift listener failed on {} {}", change, key, e);
        }
      }
    }
  }
}
