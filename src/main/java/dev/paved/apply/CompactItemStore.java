package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The item store of a watch cache's informer ({@link InformerLiveState}): each live object kept
 * as its JSON bytes, with its resourceVersion beside them. A parsed object (maps of maps) takes
 * several times the heap of its JSON, and a target of 10,000 services watches 40,000 objects
 * with their managed fields; the engine reads an object as a tree ({@link #tree}, parsed from
 * the bytes) or only its resourceVersion ({@link #resourceVersion}, no parsing at all).
 *
 * <p>Fabric8's informer gets the full object back from {@link #get} and {@link #values}; what
 * {@link #put} and {@link #remove} return (the previous object, which the informer only compares
 * by resourceVersion and indexes by namespace) carries only the metadata that says so, so a
 * watch event costs no parsing.
 */
final class CompactItemStore implements ItemStore<GenericKubernetesResource> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Entry(String namespace, String name, String resourceVersion, byte[] json) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  @Override
  public String getKey(GenericKubernetesResource object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  @Override
  public GenericKubernetesResource put(String key, GenericKubernetesResource object) {
    ObjectMeta m = object.getMetadata();
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return previous(entries.put(key, new Entry(m.getNamespace(), m.getName(), m.getResourceVersion(), json)));
  }

  @Override
  public GenericKubernetesResource remove(String key) {
    return previous(entries.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return entries.keySet().stream();
  }

  @Override
  public Stream<GenericKubernetesResource> values() {
    return entries.values().stream().map(CompactItemStore::restore);
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public GenericKubernetesResource get(String key) {
    Entry e = entries.get(key);
    return e == null ? null : restore(e);
  }

  @Override
  public boolean isFullState() {
    return true; // get and values give the whole object
  }

  /** The object of {@code key} as a tree, or null when the store does not hold it. */
  ObjectNode tree(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    try {
      JsonNode t = JSON.readTree(e.json());
      return (ObjectNode) t;
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  /** The resourceVersion of the object of {@code key}, or null when the store does not hold it. */
  String resourceVersion(String key) {
    Entry e = entries.get(key);
    return e == null ? null : String.valueOf(e.resourceVersion());
  }

  private static GenericKubernetesResource restore(Entry e) {
    try {
      return JSON.readValue(e.json(), GenericKubernetesResource.class);
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  /** The previous object as the informer uses it: its namespace, name and resourceVersion only. */
  private static GenericKubernetesResource previous(Entry e) {
    if (e == null) {
      return null;
    }
    GenericKubernetesResource r = new GenericKubernetesResource();
    ObjectMeta m = new ObjectMeta();
    m.setNamespace(e.namespace());
    m.setName(e.name());
    m.setResourceVersion(e.resourceVersion());
    r.setMetadata(m);
    return r;
  }
}
