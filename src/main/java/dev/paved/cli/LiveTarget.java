package dev.paved.cli;

import dev.paved.apply.Clusters;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.ListedLiveState;
import dev.paved.apply.InventoryStore;
import dev.paved.apply.ResourceManager;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Platform;
import dev.paved.desired.EnvironmentState;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.ConfigTree;
import dev.paved.source.GitSource;
import dev.paved.source.GitSourceException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/**
 * What {@code paved apply} and {@code paved plan} share: evaluate a config repo directory, pick
 * one environment, and connect to its cluster with an engine (client, resource manager on a
 * fixed thread pool, inventory store). Close it to release the client and the threads.
 */
final class LiveTarget implements AutoCloseable {

  /** Threads of the pool the resource manager applies with: one per object in flight. */
  static final int THREADS = ResourceManager.Options.defaults().concurrency();

  /** {@code --kubeconfig} / {@code --context}: how to reach the environment's cluster (the config repo never says). */
  static final class ClusterOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
        description = "Kubeconfig file of the environment's cluster (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME",
        description = "Context in the kubeconfig (default: its current context).")
    String context;

    Clusters.Connections connections() {
      return Clusters.Connections.of(kubeconfig, context);
    }
  }

  final Evaluation evaluation;
  final Environment environment;
  final EnvironmentState state;
  final Cluster cluster;
  final String commit;
  private Clusters clusters;
  private ExecutorService executor;
  KubernetesClient client;
  ResourceManager manager;
  InventoryStore inventories;

  private LiveTarget(Evaluation evaluation, Environment environment, EnvironmentState state, Cluster cluster,
      String commit) {
    this.evaluation = evaluation;
    this.environment = environment;
    this.state = state;
    this.cluster = cluster;
    this.commit = commit;
  }

  /**
   * Evaluates {@code dir} for {@code env}. Empty (problems printed on {@code err}) when the
   * config is blocked: nothing may touch a cluster then. Throws a {@link UsageException} for an
   * unknown environment.
   */
  static Optional<LiveTarget> evaluate(Path dir, String env, PrintWriter err) throws IOException {
    ConfigTree read = Inputs.directory(dir);
    String commit = commitOf(dir);
    Evaluation e = Evaluator.evaluate(new ConfigTree(commit, read.files()), Main.coreWorkers());
    if (e.platform().isPresent() && !e.platform().get().environments().containsKey(env)) {
      throw new UsageException("unknown environment \"" + env + "\"; environments: "
          + String.join(", ", e.platform().get().environments().keySet()));
    }
    if (e.blocked() || e.desired().isEmpty()) {
      Reports.text(e, err);
      err.println(Reports.summary(e));
      err.println("nothing was applied: fix the problems above first");
      return Optional.empty();
    }
    e.problems().forEach(err::println);
    Platform platform = e.platform().get();
    Environment environment = platform.environments().get(env);
    EnvironmentState state = e.desired().get().environment(env).orElseThrow();
    Cluster cluster = platform.clusters().get(environment.cluster());
    return Optional.of(new LiveTarget(e, environment, state, cluster, commit));
  }

  /** The environment's {@code ignoreDifferences}: fields an apply leaves as they are live. */
  IgnoreRules ignore() {
    return IgnoreRules.of(evaluation.rendered().orElseThrow(), state.environment());
  }

  /** Connects to the environment's cluster; throws {@link Clusters.ClusterException} when it cannot. */
  LiveTarget connect(ClusterOptions options) {
    clusters = new Clusters(options.connections());
    client = clusters.client(cluster);
    Clusters.ping(cluster, client);
    AtomicInteger n = new AtomicInteger();
    executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "paved-apply-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // Live state read with one LIST per kind and namespace, not a GET per object.
    manager = new ResourceManager(client, "paved", repoId(),
        new ListedLiveState(client, state.objects().stream().map(o -> o.key()).toList()), executor);
    inventories = new InventoryStore(client, "paved", repoId());
    return this;
  }

  /** The repo id the objects are owned as: platform.yaml's {@code id}, else {@code default}. */
  String repoId() {
    String id = evaluation.platform().orElseThrow().settings().id();
    return id == null ? dev.paved.apply.Owner.DEFAULT_REPO : id;
  }

  /** The HEAD commit id when {@code dir} is in a git repository, else {@code local}. */
  static String commitOf(Path dir) {
    try (GitSource git = GitSource.open(dir)) {
      return git.resolve("HEAD").getName();
    } catch (GitSourceException | RuntimeException e) {
      return "local";
    }
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
    if (manager != null) {
      manager.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }
}
