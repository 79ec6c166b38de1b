package dev.paved.reconcile;

import dev.paved.apply.DriftWatcher;
import dev.paved.apply.InformerLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Cluster;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * What a target keeps while it lives on one cluster: the client, the watch cache, the resource
 * manager, the inventory store (its inventories labelled with {@code inventoryLabels}) and the
 * drift watcher, started on the first reconcile.
 */
final class TargetEngine implements AutoCloseable {

  final Cluster cluster;
  final KubernetesClient client;
  final InformerLiveState cache;
  final ResourceManager manager;
  final InventoryStore inventories;
  private final DaemonContext context;
  private final DriftWatcher.Listener listener;
  private DriftWatcher watcher;

  TargetEngine(DaemonContext context, Cluster cluster, KubernetesClient client, String repo, String environment,
      Map<String, String> inventoryLabels, DriftWatcher.Listener listener) {
    this.context = context;
    this.cluster = cluster;
    this.client = client;
    this.listener = listener;
    this.cache = new InformerLiveState(client, environment);
    // Owned as the daemon config's repo name: an id no commit can change.
    this.manager = new ResourceManager(client, Labels.MANAGER, repo, cache, context.applies);
    // With HA on, each inventory write first asks whether this replica still holds the target.
    TargetGate gate = context.gate;
    this.inventories = new InventoryStore(client, Labels.MANAGER, repo, context.replica == null
        ? InventoryStore.Options.defaults() : InventoryStore.Options.defaults().guarded(context.replica,
            env -> gate.holds(repo, env) ? java.util.Optional.empty() : java.util.Optional.of("replica "
                + context.replica + " no longer holds the Lease of " + repo + "/" + env + " (another replica"
                + " reconciles it)")), inventoryLabels);
  }

  /** Starts the drift watcher on the request's state, or swaps it in (before the sync, as it asks). */
  synchronized void watch(TargetRequest r) {
    if (watcher == null) {
      DriftWatcher w = new DriftWatcher(cache, manager, context.drift);
      w.addListener(listener);
      watcher = w.start(r.state(), r.drift(), r.ignore());
    } else {
      watcher.update(r.state(), r.drift(), r.ignore());
    }
  }

  /** The drift watcher, once started. */
  synchronized DriftWatcher watcher() {
    return watcher;
  }

  /** No more drift checks (the client and cache stay until {@link #close}). */
  synchronized void stopWatching() {
    if (watcher != null) {
      watcher.close();
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (watcher != null) {
        watcher.close();
      }
      cache.close();
      manager.close();
    } finally {
      client.close();
    }
  }
}
