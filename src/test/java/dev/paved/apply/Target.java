package dev.paved.apply;

import dev.paved.desired.EnvironmentState;
import dev.paved.pipeline.Evaluation;
import dev.paved.reconcile.LivePlatform;
import dev.paved.reconcile.TargetSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A one-environment config repo whose services land in a test's own namespace, and an engine
 * reading the live state from a watch cache ({@link InformerLiveState}): what the daemon holds
 * for one target.
 */
final class Target {

  final String namespace;
  final String environment;
  private final LivePlatform platform;

  Target(String namespace) {
    this.platform = new LivePlatform(namespace);
    this.namespace = platform.namespace;
    this.environment = platform.environment;
  }

  /** A service with one http port, image tag {@code tag}, and {@code extra} YAML (top-level fields). */
  Target service(String name, String tag, String extra) {
    platform.service(name, tag, extra);
    return this;
  }

  Target service(String name, String tag) {
    return service(name, tag, "");
  }

  Evaluation evaluate(String commit) {
    return platform.evaluate(commit);
  }

  EnvironmentState state(String commit) {
    return evaluate(commit).desired().orElseThrow().environment(environment).orElseThrow();
  }

  IgnoreRules ignoreRules() {
    return IgnoreRules.of(evaluate("test").rendered().orElseThrow(), environment);
  }

  Engine engine(KubernetesClient client) {
    return new Engine(client);
  }

  /** Cache, resource manager reading from it, inventory store, thread pools. */
  final class Engine implements AutoCloseable {
    final InformerLiveState cache;
    final ResourceManager manager;
    final InventoryStore inventories;
    final ExecutorService executor = Executors.newFixedThreadPool(8);
    final ExecutorService drift = Executors.newFixedThreadPool(2);

    Engine(KubernetesClient client) {
      cache = new InformerLiveState(client, environment);
      manager = new ResourceManager(client, "paved", cache, executor);
      inventories = new InventoryStore(client, "paved");
    }

    TargetSync.Result sync(String commit) {
      EnvironmentState state = state(commit);
      return TargetSync.run(state, TargetSync.prunePolicy(
              evaluate(commit).platform().orElseThrow().environments().get(environment)),
          commit, manager, inventories, new TargetSync.Options(false,
              ResourceManager.Options.defaults().withIgnore(IgnoreRules.of(evaluate(commit).rendered().orElseThrow(),
                  environment))));
    }

    /** True once the cache holds every desired object as applied (the watch caught up). */
    boolean cacheHolds(String commit) {
      return state(commit).objects().stream().allMatch(o -> cache.get(o.key())
          .map(live -> Comparison.holds(ResourceManager.prepared(o), live)).orElse(false));
    }

    @Override
    public void close() {
      cache.close();
      manager.close();
      executor.shutdownNow();
      drift.shutdownNow();
    }
  }
}
