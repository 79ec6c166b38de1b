package dev.paved.apply;

import dev.paved.config.Declarations.Cluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fabric8 clients for the clusters of a config repo, one per cluster, on the JDK HTTP client.
 *
 * <p>A cluster declares either {@code inCluster: true} (the pod's service account) or
 * {@code kubeconfig: {file, context}} (file default {@code $KUBECONFIG} or
 * {@code ~/.kube/config}, context default the file's current one). Command-line
 * {@link Overrides} ({@code --kubeconfig}, {@code --context}) take precedence over what the
 * cluster declares; a {@code --kubeconfig} also replaces {@code inCluster}.
 *
 * <p>Timeouts are short and retries few, so an unreachable cluster fails with a
 * {@link ClusterException} within seconds instead of hanging.
 */
public final class Clusters implements AutoCloseable {

  /** Connect timeout of every client. */
  public static final int CONNECT_TIMEOUT_MS = 10_000;
  /** Timeout of one request (watches are not affected). */
  public static final int REQUEST_TIMEOUT_MS = 30_000;

  static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  /** Command-line overrides; null fields mean "as the cluster declares". */
  public record Overrides(Path kubeconfig, String context) {
    public static Overrides none() {
      return new Overrides(null, null);
    }
  }

  /** A cluster cannot be configured or reached; the message says which and why. */
  public static final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Overrides overrides;
  private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();

  public Clusters(Overrides overrides) {
    this.overrides = overrides == null ? Overrides.none() : overrides;
  }

  /** The client of {@code cluster}, created on first use and shared afterwards. */
  public synchronized KubernetesClient client(Cluster cluster) {
    KubernetesClient c = clients.get(cluster.name());
    if (c == null) {
      c = connect(cluster, overrides);
      clients.put(cluster.name(), c);
    }
    return c;
  }

  /** A new client for {@code cluster} (the caller closes it). */
  public static KubernetesClient connect(Cluster cluster, Overrides overrides) {
    Config config = config(cluster, overrides);
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(HttpClients.factory(config)).build();
  }

  /**
   * Checks that the cluster answers (a GET of {@code /version}); throws a
   * {@link ClusterException} naming the cluster and its URL when it does not.
   */
  public static void ping(Cluster cluster, KubernetesClient client) {
    try {
      client.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      throw new ClusterException("cannot reach cluster \"" + cluster.name() + "\" at "
          + client.getConfiguration().getMasterUrl() + ": " + rootMessage(e), e);
    }
  }

  /** The Fabric8 configuration of {@code cluster}, with overrides applied and sane timeouts. */
  public static Config config(Cluster cluster, Overrides overrides) {
    Overrides o = overrides == null ? Overrides.none() : overrides;
    Config config;
    if (cluster.inCluster() && o.kubeconfig() == null) {
      config = inCluster(cluster);
    } else {
      Path file = o.kubeconfig() != null ? o.kubeconfig()
          : cluster.kubeconfigFile() != null ? expand(cluster.kubeconfigFile()) : defaultKubeconfig();
      String context = o.context() != null ? o.context() : cluster.context();
      config = fromKubeconfig(cluster, file, context);
    }
    config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    config.setRequestTimeout(REQUEST_TIMEOUT_MS);
    config.setRequestRetryBackoffLimit(1);
    config.setRequestRetryBackoffInterval(250);
    return config;
  }

  private static Config fromKubeconfig(Cluster cluster, Path file, String context) {
    String contents;
    try {
      contents = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": cannot read kubeconfig " + file + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), e);
    }
    Config config;
    try {
      config = Config.fromKubeconfig(context, contents, file.toAbsolutePath().toString());
    } catch (RuntimeException e) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": invalid kubeconfig " + file + ": "
          + rootMessage(e), e);
    }
    if (context != null && (config.getCurrentContext() == null
        || !context.equals(config.getCurrentContext().getName()))) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": kubeconfig " + file + " has no context \""
          + context + "\"", null);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": kubeconfig " + file
          + " names no server" + (context == null ? " (and no current context)" : " for context \"" + context + "\""),
          null);
    }
    return config;
  }

  private static Config inCluster(Cluster cluster) {
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    Path token = Path.of(SERVICE_ACCOUNT_DIR, "token");
    if (host == null || port == null || !Files.isReadable(token)) {
      throw new ClusterException("cluster \"" + cluster.name() + "\" is declared inCluster, but Paved is not "
          + "running in a pod with a service account (KUBERNETES_SERVICE_HOST or " + token + " missing); "
          + "use --kubeconfig to reach it from outside", null);
    }
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("https://" + hostPart + ":" + port)
        .withCaCertFile(Path.of(SERVICE_ACCOUNT_DIR, "ca.crt").toString())
        // Read on every use: projected service-account tokens rotate.
        .withOauthTokenProvider(() -> {
          try {
            return Files.readString(token, StandardCharsets.UTF_8).strip();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .build();
  }

  /** {@code $KUBECONFIG} (its first entry) or {@code ~/.kube/config}. */
  static Path defaultKubeconfig() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      for (String part : env.split(java.io.File.pathSeparator)) {
        if (!part.isBlank()) {
          return expand(part);
        }
      }
    }
    return Path.of(System.getProperty("user.home"), ".kube", "config");
  }

  private static Path expand(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + path.substring(1));
    }
    return Path.of(path);
  }

  /** The most telling message of a failure chain: what the network said, else the deepest message. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    if (t instanceof java.net.http.HttpConnectTimeoutException) {
      return "connection timed out";
    }
    if (t instanceof java.net.ConnectException) {
      return "connection refused" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
    }
    return message == null ? t.getClass().getSimpleName() : message;
  }

  @Override
  public synchronized void close() {
    clients.values().forEach(KubernetesClient::close);
    clients.clear();
  }
}
