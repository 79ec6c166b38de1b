package dev.paved.apply;

import dev.paved.config.Declarations.Cluster;
import dev.paved.secret.Scrubber;
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
 * <p>The config repo only names clusters: how to reach each one is the {@link Connections} of
 * whoever runs Paved, never of a commit (the daemon config's {@code clusters}, the CLI's
 * {@code --kubeconfig}/{@code --context}). A {@link Connection} is a kubeconfig file and context
 * (file default {@code $KUBECONFIG} or {@code ~/.kube/config}, context default the file's
 * current one), the pod's service account ({@code inCluster}), or a server with a token file
 * and a CA file. A kubeconfig that cannot be read or parsed is reported by its path with a
 * generic reason, never with its content.
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

  /**
   * How to reach one cluster: exactly one of a kubeconfig ({@code kubeconfig} null: the default
   * file; {@code context} null: its current context), {@code inCluster}, or {@code server} with
   * {@code tokenFile} and {@code caFile} (null: the system's trusted CAs).
   */
  public record Connection(Path kubeconfig, String context, boolean inCluster, String server, Path tokenFile,
      Path caFile) {

    /** A kubeconfig file (null: $KUBECONFIG or ~/.kube/config) and context (null: its current one). */
    public static Connection kubeconfig(Path file, String context) {
      return new Connection(file, context, false, null, null, null);
    }

    /** The service account of the pod Paved runs in. */
    public static Connection serviceAccount() {
      return new Connection(null, null, true, null, null, null);
    }

    /** An apiserver URL with a bearer token read from {@code tokenFile} (on every use) and a CA file. */
    public static Connection token(String server, Path tokenFile, Path caFile) {
      return new Connection(null, null, false, server, tokenFile, caFile);
    }
  }

  /**
   * The connections of the clusters a config repo names: by cluster name, and the one for every
   * cluster not listed ({@code fallback}).
   */
  public record Connections(Map<String, Connection> byCluster, Connection fallback) {

    public Connections {
      byCluster = Map.copyOf(byCluster);
    }

    /** Every cluster through the default kubeconfig's current context. */
    public static Connections defaults() {
      return of(null, null);
    }

    /** Every cluster through {@code kubeconfig} (null: the default) and {@code context} (null: current). */
    public static Connections of(Path kubeconfig, String context) {
      return new Connections(Map.of(), Connection.kubeconfig(kubeconfig, context));
    }

    public Connection of(String cluster) {
      return byCluster.getOrDefault(cluster, fallback);
    }
  }

  /** A cluster cannot be configured or reached; the message says which and why. */
  public static final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message, Throwable cause) {
      super(Scrubber.scrub(message), cause);
    }
  }

  private final Connections connections;
  private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();

  public Clusters(Connections connections) {
    this.connections = connections == null ? Connections.defaults() : connections;
  }

  /** The client of {@code cluster}, created on first use and shared afterwards. */
  public synchronized KubernetesClient client(Cluster cluster) {
    KubernetesClient c = clients.get(cluster.name());
    if (c == null) {
      c = connect(cluster, connections);
      clients.put(cluster.name(), c);
    }
    return c;
  }

  /** A new client for {@code cluster} (the caller closes it). */
  public static KubernetesClient connect(Cluster cluster, Connections connections) {
    Config config = config(cluster, connections);
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

  /** The Fabric8 configuration of {@code cluster}, reached as {@code connections} say, with sane timeouts. */
  public static Config config(Cluster cluster, Connections connections) {
    Connection c = (connections == null ? Connections.defaults() : connections).of(cluster.name());
    Config config;
    if (c.inCluster()) {
      config = inCluster(cluster);
    } else if (c.server() != null) {
      config = withToken(cluster, c);
    } else {
      config = fromKubeconfig(cluster, c.kubeconfig() != null ? c.kubeconfig() : defaultKubeconfig(), c.context());
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
          + unreadable(e), null);
    }
    Config config;
    try {
      config = Config.fromKubeconfig(context, contents, file.toAbsolutePath().toString());
    } catch (RuntimeException e) {
      // Never the parser's message: it may quote the file, and a kubeconfig holds credentials.
      throw new ClusterException("cluster \"" + cluster.name() + "\": kubeconfig " + file
          + " is not a valid kubeconfig (a YAML file with clusters, users and contexts)", null);
    }
    if (context != null && (config.getCurrentContext() == null
        || !context.equals(config.getCurrentContext().getName()))) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": kubeconfig " + file + " has no context \""
          + context + "\"", null);
    }
    for (String secret : new String[] {config.getOauthToken(), config.getPassword(), config.getClientKeyData(),
        config.getAutoOAuthToken()}) {
      Scrubber.register(secret);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": kubeconfig " + file
          + " names no server" + (context == null ? " (and no current context)" : " for context \"" + context + "\""),
          null);
    }
    return config;
  }

  /** Why a file cannot be read, in words that never quote it. */
  static String unreadable(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not a text file";
    }
    return "not readable";
  }

  private static Config withToken(Cluster cluster, Connection c) {
    Path token = c.tokenFile();
    if (token == null || !Files.isReadable(token)) {
      throw new ClusterException("cluster \"" + cluster.name() + "\": cannot read the token file " + token, null);
    }
    ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(c.server())
        .withOauthTokenProvider(() -> {
          try {
            return Scrubber.register(Files.readString(token, StandardCharsets.UTF_8).strip());
          } catch (IOException e) {
            throw new ClusterException("cluster \"" + cluster.name() + "\": cannot read the token file " + token
                + ": " + unreadable(e), null);
          }
        });
    if (c.caFile() != null) {
      b.withCaCertFile(c.caFile().toString());
    }
    return b.build();
  }

  private static Config inCluster(Cluster cluster) {
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    Path token = Path.of(SERVICE_ACCOUNT_DIR, "token");
    if (host == null || port == null || !Files.isReadable(token)) {
      throw new ClusterException("cluster \"" + cluster.name() + "\" is to be reached inCluster, but Paved is not "
          + "running in a pod with a service account (KUBERNETES_SERVICE_HOST or " + token + " missing); "
          + "give the daemon a kubeconfig for it, or use --kubeconfig", null);
    }
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("https://" + hostPart + ":" + port)
        .withCaCertFile(Path.of(SERVICE_ACCOUNT_DIR, "ca.crt").toString())
        // Read on every use: projected service-account tokens rotate.
        .withOauthTokenProvider(() -> {
          try {
            return Scrubber.register(Files.readString(token, StandardCharsets.UTF_8).strip());
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
