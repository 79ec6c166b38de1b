package dev.paved.apply;

import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each target's {@link Inventory} in the cluster itself, in namespace {@code
 * paved-system}, so that a restarted daemon on an empty disk knows exactly what it owns.
 *
 * <p>An inventory is an index ConfigMap ({@link #name}) naming the commit and its shards, and
 * shards ConfigMaps ({@code <index>-<generation>-<hash>}) holding the objects {@link
 * InventoryShards compactly}, each at most {@link Options#maxShardChars} (512 KiB by default,
 * far below etcd's 1 MiB object limit) so that an inventory of any size can be stored (the layout:
 * {@link InventoryIndex}). A write is crash-safe ({@link InventoryWriter}): (1) the new shards are
 * created, (2) the index is replaced with the {@code resourceVersion} this store last read or
 * wrote (a stale or concurrent writer fails with {@link InventoryException}, nothing recorded),
 * (3) the shards no index names any more are deleted. A writer killed at any point leaves the
 * previous index and its shards intact; leftovers are collected by the next write. This store
 * remembers what it last read or wrote, and reads: the index, then exactly its shards:
 * a shard that is missing while the index still names it is an error, never "nothing owned".
 * The single-ConfigMap inventories of earlier versions ({@code objects} in the index itself) are
 * still read, and replaced by the next write.
 *
 * <p>Reads and writes throw when the cluster cannot answer: an unreadable inventory is never
 * taken for an empty one.
 *
 * <p>Each config repo has its own ({@link #name(String, String)}: {@code
 * paved-inventory-<repo>.<environment>}), so two repos with an environment of the same name never
 * share one. An inventory written before repo ids ({@code paved-inventory-<environment>}) is read
 * when the repo's own does not exist yet, and deleted (with its shards) once that is written: the
 * first repo to sync the environment after the upgrade takes it over.
 */
public final class InventoryStore {

  private static final Logger LOG = LoggerFactory.getLogger(InventoryStore.class);

  public static final String NAMESPACE = "paved-system";
  /** The label naming an inventory's environment (on its index). */
  public static final String ENVIRONMENT_LABEL = "paved.dev/inventory";

  /** The name of the index ConfigMap of {@code repo}'s {@code environment}'s inventory: the one place it is made. */
  public static String name(String repo, String environment) {
    return "paved-inventory-" + repo + "." + environment;
  }

  /** {@link #name(String, String)} of repo {@link Owner#DEFAULT_REPO}. */
  public static String name(String environment) {
    return name(Owner.DEFAULT_REPO, environment);
  }

  /** The index of {@code environment}'s inventory before repo ids. */
  static String legacyName(String environment) {
    return "paved-inventory-" + environment;
  }

  /** Called after each shard a write creates (a test pauses there to be killed). */
  @FunctionalInterface
  public interface ShardListener {
    void written(int shards);
  }

  /**
   * Whether a write of an environment's inventory may go ahead now: empty, or why not (e.g. this
   * daemon replica no longer holds the target's Lease). Asked before each index write and delete.
   */
  @FunctionalInterface
  public interface WriteGuard {
    WriteGuard ANY = environment -> Optional.empty();

    Optional<String> refusal(String environment);
  }

  /**
   * {@code maxShardChars}: the largest shard, in base64 characters (tests lower it). {@code
   * writer}: who writes, recorded on the index as {@link #WRITTEN_BY} (null: not recorded);
   * {@code guard}: asked before each write.
   */
  public record Options(int maxShardChars, ShardListener afterShard, String writer, WriteGuard guard) {
    public static final int DEFAULT_MAX_SHARD_CHARS = 512 * 1024;

    public Options {
      guard = guard == null ? WriteGuard.ANY : guard;
    }

    public Options(int maxShardChars, ShardListener afterShard) {
      this(maxShardChars, afterShard, null, WriteGuard.ANY);
    }

    public static Options defaults() {
      return new Options(DEFAULT_MAX_SHARD_CHARS, n -> {});
    }

    /** The same options, writing as {@code writer} when {@code guard} allows it. */
    public Options guarded(String writer, WriteGuard guard) {
      return new Options(maxShardChars, afterShard, writer, guard);
    }
  }

  /** The annotation on an index naming the daemon replica that wrote it (HA; see {@link Options#writer}). */
  public static final String WRITTEN_BY = "paved.dev/written-by";

  /**
   * The inventory could not be read or written: damaged, changed by another writer meanwhile,
   * or refused by the apiserver ({@link #refused()}: sending the same write again cannot help).
   */
  public static final class InventoryException extends RuntimeException {
    private final boolean refused;
    private final boolean stale;

    InventoryException(String message, boolean refused, Throwable cause) {
      this(message, refused, false, cause);
    }

    private InventoryException(String message, boolean refused, boolean stale, Throwable cause) {
      super(message, cause);
      this.refused = refused;
      this.stale = stale;
    }

    /** Another writer changed the index since this store read it. */
    static InventoryException stale(String message, Throwable cause) {
      return new InventoryException(message, false, true, cause);
    }

    public boolean refused() {
      return refused;
    }

    /** Whether another writer changed the index since it was read (what this store remembers of it is stale). */
    boolean stale() {
      return stale;
    }
  }

  private record Seen(String resourceVersion, long generation) {}

  private final KubernetesClient client;
  private final String fieldManager;
  private final Options options;
  private final String repo;
  private final InventoryWriter writer;
  /** Environments whose inventory was read from the pre-repo-id index, to delete once rewritten. */
  private final Set<String> legacy = ConcurrentHashMap.newKeySet();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final AtomicBoolean namespaceReady = new AtomicBoolean();

  public InventoryStore(KubernetesClient client, String fieldManager) {
    this(client, fieldManager, Options.defaults());
  }

  public InventoryStore(KubernetesClient client, String fieldManager, Options options) {
    this(client, fieldManager, Owner.DEFAULT_REPO, options, Map.of());
  }

  /** A store whose inventory indexes also carry {@code labels} (e.g. the daemon's repo, to find them again). */
  public InventoryStore(KubernetesClient client, String fieldManager, Options options, Map<String, String> labels) {
    this(client, fieldManager, Owner.DEFAULT_REPO, options, labels);
  }

  /** The store of config repo {@code repo}'s inventories. */
  public InventoryStore(KubernetesClient client, String fieldManager, String repo) {
    this(client, fieldManager, repo, Options.defaults(), Map.of());
  }

  public InventoryStore(KubernetesClient client, String fieldManager, String repo, Options options) {
    this(client, fieldManager, repo, options, Map.of());
  }

  public InventoryStore(KubernetesClient client, String fieldManager, String repo, Options options,
      Map<String, String> labels) {
    this.client = client;
    this.fieldManager = fieldManager;
    this.repo = Owner.requireRepoId(repo);
    this.options = options;
    this.writer = new InventoryWriter(client, options, this.repo, Map.copyOf(labels));
  }

  /** The environments whose inventory index carries every one of {@code labels}; throws when the cluster cannot answer. */
  public List<String> environments(Map<String, String> labels) {
    return configMaps().withLabel(ENVIRONMENT_LABEL).withLabels(labels).list().getItems().stream()
        .map(cm -> cm.getMetadata().getLabels().get(ENVIRONMENT_LABEL)).sorted().toList();
  }

  /** Forgets the inventory of {@code environment} (once everything it recorded is gone): its index, then its shards. */
  public void delete(String environment) {
    checkGuard(options, environment);
    String index = name(repo, environment);
    configMaps().withName(index).delete();
    configMaps().withLabel(InventoryIndex.SHARD_OF, InventoryIndex.shardsOf(index)).delete();
    seen.remove(environment);
  }

  /**
   * The commit the inventory of {@code environment} records (the last one applied to it), from
   * its index alone (one read, no shard), when the index carries every one of {@code labels}
   * (e.g. the daemon's source label: a commit applied from this very branch); empty when Paved
   * never applied it here, the record names none, or another writer (paved apply, another
   * source) wrote it. Throws when the cluster cannot answer.
   */
  public Optional<String> commit(String environment, Map<String, String> labels) {
    ConfigMap cm = configMaps().withName(name(repo, environment)).get();
    if (cm == null) {
      return Optional.empty(); // an index from before repo ids carries no source label either
    }
    Map<String, String> has = cm.getMetadata().getLabels() == null ? Map.of() : cm.getMetadata().getLabels();
    if (!has.entrySet().containsAll(labels.entrySet())) {
      return Optional.empty();
    }
    return Optional.ofNullable(cm.getData()).map(d -> d.get("commit")).filter(c -> !c.isBlank());
  }

  /** The inventory of {@code environment}, or empty when Paved never applied it here. */
  public Optional<Inventory> read(String environment) {
    Optional<Inventory> own = read(environment, name(repo, environment));
    if (own.isPresent()) {
      return own;
    }
    ConfigMap old = configMaps().withName(legacyName(environment)).get();
    if (old == null || old.getMetadata().getLabels() != null && old.getMetadata().getLabels().containsKey(Labels.REPO)) {
      return own;
    }
    Optional<Inventory> taken = read(environment, legacyName(environment));
    // The repo's own index does not exist yet: the next write creates it (at the next generation).
    seen.put(environment, new Seen("", seen.get(environment).generation()));
    legacy.add(environment);
    return taken;
  }

  private Optional<Inventory> read(String environment, String index) {
    for (int attempt = 0; ; attempt++) {
      ConfigMap cm = configMaps().withName(index).get();
      if (cm == null) {
        seen.put(environment, new Seen("", 0));
        return Optional.empty();
      }
      Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
      String rv = cm.getMetadata().getResourceVersion();
      Optional<Inventory> single = InventoryIndex.single(environment, data);
      if (single.isPresent()) {
        seen.put(environment, new Seen(rv, 0));
        return single;
      }
      InventoryIndex read = InventoryIndex.parse(index, data);
      Set<ObjectKey> objects = new TreeSet<>();
      String missing = null;
      for (String shard : read.shards()) {
        Optional<Set<ObjectKey>> held = InventoryIndex.objects(configMaps().withName(shard).get());
        if (held.isEmpty()) {
          missing = shard;
          break;
        }
        objects.addAll(held.get());
      }
      if (missing != null) {
        ConfigMap now = configMaps().withName(index).get();
        if (now != null && !rv.equals(now.getMetadata().getResourceVersion()) && attempt < 3) {
          continue; // a writer replaced the index (and collected its shards) while we read: again
        }
        throw new InventoryException("the inventory of " + environment + " is damaged: its index " + NAMESPACE + "/"
            + index + " names shard " + missing + ", which does not exist", false, null);
      }
      read.checkCount(index, objects.size());
      seen.put(environment, new Seen(rv, read.generation()));
      return Optional.of(new Inventory(environment, read.commit(), objects));
    }
  }

  /**
   * Records {@code inventory}: shards, then the index, then old shards removed. Throws {@link
   * InventoryException} when another writer changed the index since this store read it, or the
   * apiserver refuses a write; {@link KubernetesClientException} when it cannot be reached.
   */
  public void write(Inventory inventory) {
    String environment = inventory.environment();
    String index = name(repo, environment);
    checkGuard(options, environment);
    ensureNamespace();
    Seen before = seen.get(environment);
    if (before == null) { // never read by this store: writes over whatever is there
      ConfigMap current = configMaps().withName(index).get();
      before = current == null ? new Seen("", 0)
          : new Seen(current.getMetadata().getResourceVersion(), InventoryIndex.generation(current.getData()));
    }
    long generation = before.generation() + 1;
    String written;
    try {
      written = writer.write(index, inventory, before.resourceVersion(), generation);
    } catch (InventoryException e) {
      if (e.stale()) {
        seen.remove(environment);
      }
      throw e;
    }
    seen.put(environment, new Seen(written, generation));
    if (legacy.remove(environment)) {
      String old = legacyName(environment);
      try {
        configMaps().withName(old).delete();
        configMaps().withLabel(InventoryIndex.SHARD_OF, InventoryIndex.shardsOf(old)).delete();
      } catch (KubernetesClientException e) {
        LOG.warn("the inventory of {} from before repo ids ({}) was not removed: {}", environment, old, e.getMessage());
      }
    }
  }

  /** Throws when {@code options}' guard refuses a write of {@code environment}'s inventory now. */
  static void checkGuard(Options options, String environment) {
    Optional<String> refusal = options.guard().refusal(environment);
    if (refusal.isPresent()) {
      throw new InventoryException("the inventory of " + environment + " was not written: " + refusal.get(), false,
          null);
    }
  }

  private void ensureNamespace() {
    if (namespaceReady.get()) {
      return;
    }
    client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().build())
        .fieldManager(fieldManager).forceConflicts().serverSideApply();
    namespaceReady.set(true);
  }

  /** Addressed explicitly: the client's own namespace, if it has one, is not the store's. */
  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<ConfigMap, io.fabric8.kubernetes.api.model.ConfigMapList,
      io.fabric8.kubernetes.client.dsl.Resource<ConfigMap>> configMaps() {
    return client.configMaps().inNamespace(NAMESPACE);
  }
}
