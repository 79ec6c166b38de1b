package dev.paved.reconcile;

import dev.paved.apply.Clusters;
import dev.paved.apply.ListedLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Platform;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Syncs every target of a commit at once, each on its own cluster client: a slow or
 * unreachable cluster fails its own targets (after the timeout at most) and never holds back
 * the others.
 */
public final class PlatformSync {

  private PlatformSync() {}

  /**
   * Starts one {@link TargetSync} per environment on {@code targets}; each future completes
   * with the target's result, an error result when its cluster cannot be reached, or a
   * timeout result after {@code timeout}.
   */
  public static Map<String, CompletableFuture<TargetSync.Result>> start(Platform platform, DesiredState state,
      Clusters clusters, ExecutorService targets, ExecutorService applies, Duration timeout,
      TargetSync.Options options) {
    Map<String, CompletableFuture<TargetSync.Result>> out = new TreeMap<>();
    for (EnvironmentState env : state.environments().values()) {
      Environment decl = platform.environments().get(env.environment());
      Cluster cluster = platform.clusters().get(env.cluster());
      CompletableFuture<TargetSync.Result> f = CompletableFuture.supplyAsync(() -> {
        KubernetesClient client = clusters.client(cluster);
        Clusters.ping(cluster, client);
        try (ResourceManager manager = new ResourceManager(client, "paved",
            new ListedLiveState(client, env.objects().stream().map(o -> o.key()).toList()), applies)) {
          return TargetSync.run(env, TargetSync.prunePolicy(decl), state.revision(), manager,
              new InventoryStore(client, "paved"), options.confining(platform));
        }
      }, targets).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> failed(env, state, e, timeout));
      out.put(env.environment(), f);
    }
    return out;
  }

  private static TargetSync.Result failed(EnvironmentState env, DesiredState state, Throwable e, Duration timeout) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    String message = cause instanceof TimeoutException
        ? "no answer from cluster \"" + env.cluster() + "\" within " + timeout.toSeconds() + "s"
        : String.valueOf(cause.getMessage());
    return new TargetSync.Result(env.environment(), state.revision(), dev.paved.apply.ChangeSet.empty(),
        Optional.of(message));
  }
}
