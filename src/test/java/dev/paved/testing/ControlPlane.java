package dev.paved.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running etcd + kube-apiserver pair, started by {@code scripts/control-plane up} in a private
 * state directory and stopped by {@code scripts/control-plane down}.
 *
 * <p>Tests normally get one through {@link KubeApiServerExtension} (parameter of type {@code
 * ControlPlane}); it is shared by every test of the run. Use {@link #newClient()} when a test needs
 * a second, independent client (another field manager, a watcher), and {@link #kubeconfig()} to
 * point a process (the daemon, {@code kubectl}, {@code helm}) at the cluster.
 */
public final class ControlPlane implements AutoCloseable {

  /** Exit code of {@code scripts/control-plane up} when Go is missing outside CI. */
  static final int EXIT_UNAVAILABLE = 3;

  private final Path script;
  private final Path stateDir;
  private final Map<String, String> state;
  private final KubernetesClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private ControlPlane(Path script, Path stateDir, Map<String, String> state) {
    this.script = script;
    this.stateDir = stateDir;
    this.state = Map.copyOf(state);
    this.client = newClient();
    this.shutdownHook = new Thread(this::stop, "paved-control-plane-down");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Path of the kubeconfig (admin, group {@code system:masters}) for this control plane. */
  public Path kubeconfig() {
    return stateDir.resolve("kubeconfig");
  }

  /** The apiserver's URL, e.g. {@code https://127.0.0.1:34567}. */
  public String apiServerUrl() {
    return state.get("APISERVER_URL");
  }

  /** The Kubernetes version the binaries were built from, e.g. {@code v1.35.4}. */
  public String version() {
    return state.get("VERSION");
  }

  /** The shared admin client (do not close it; it lives as long as the control plane). */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new admin client on Fabric8's JDK HTTP client, independent of the shared one. The caller
   * closes it.
   */
  public KubernetesClient newClient() {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
      return new KubernetesClientBuilder()
          .withConfig(config)
          .withHttpClientFactory(dev.paved.apply.HttpClients.factory(config))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a control plane in a new temporary directory.
   *
   * @throws Unavailable when the binaries cannot be built because Go is missing (never with
   *     {@code CI=true}: the script fails instead)
   * @throws IllegalStateException when the control plane does not come up
   */
  public static ControlPlane start(Path script) throws Unavailable {
    try {
      Path dir = Files.createTempDirectory("paved-cp-");
      long owner = ProcessHandle.current().pid();
      Result up = run(script, "up", "--dir", dir.toString(), "--owner-pid", Long.toString(owner));
      if (up.exitCode == EXIT_UNAVAILABLE) {
        Files.deleteIfExists(dir);
        throw new Unavailable(up.output);
      }
      if (up.exitCode != 0) {
        throw new IllegalStateException(
            "scripts/control-plane up failed (exit " + up.exitCode + "):\n" + up.output);
      }
      try {
        return new ControlPlane(script, dir, readState(dir.resolve("state.env")));
      } catch (RuntimeException | IOException e) {
        run(script, "down", "--dir", dir.toString());
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the processes and removes the state directory; safe to call more than once. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs (or ran) stop() itself
    }
  }

  private void stop() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      client.close();
    } finally {
      Result down = run(script, "down", "--dir", stateDir.toString());
      if (down.exitCode != 0) {
        System.err.println("scripts/control-plane down failed:\n" + down.output);
      }
    }
  }

  private static Map<String, String> readState(Path file) throws IOException {
    Map<String, String> values = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return values;
  }

  private record Result(int exitCode, String output) {}

  /** Runs the script, echoing its progress lines to stderr (a first build takes minutes). */
  private static Result run(Path script, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(script.getParent().getParent().toFile())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      StringBuilder output = new StringBuilder();
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          System.err.println(line);
          output.append(line).append('\n');
        }
      }
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return new Result(-1, output + "(timed out)");
      }
      return new Result(process.exitValue(), output.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  /** The control plane cannot be provided on this machine (Go is missing, outside CI). */
  public static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }
}
