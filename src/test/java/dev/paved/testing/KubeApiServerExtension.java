package dev.paved.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * JUnit 5 extension that runs tests against a real Kubernetes control plane: etcd and
 * kube-apiserver built from source by {@code scripts/control-plane} (see CONTRIBUTING.md, "The
 * control plane"). Server-side apply, managed fields, defaulting, validation, admission, RBAC and
 * watches all behave as in a real cluster; there are no nodes, kubelet or controller manager, so
 * nothing schedules pods, Deployments never become available and deleted namespaces stay {@code
 * Terminating}.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * @RealCluster
 * class ApplyIT {
 *   @Test
 *   void appliesAConfigMap(KubernetesClient client) {
 *     // client's default namespace is a fresh one for this test: client.getNamespace()
 *     client.resource(configMap).fieldManager("paved").forceConflicts().serverSideApply();
 *   }
 *
 *   @Test
 *   void seesWhatAnotherClientDoes(KubernetesClient client, ControlPlane cluster) {
 *     try (KubernetesClient other = cluster.newClient()) { ... }
 *   }
 * }
 * }</pre>
 *
 * Test and lifecycle methods may declare parameters of these types:
 *
 * <ul>
 *   <li>{@link KubernetesClient} (or {@link NamespacedKubernetesClient}) - an admin client whose default namespace is a namespace created
 *       for this test alone (named after the test, e.g. {@code it-applies-a-config-map-x7k2q}) and
 *       deleted after it. Only in test methods and {@code @BeforeEach}/{@code @AfterEach}. Do not
 *       close it.
 *   <li>{@link ControlPlane} - the shared control plane: {@link ControlPlane#newClient()} for a
 *       second client, {@link ControlPlane#kubeconfig()} for processes, {@link
 *       ControlPlane#version()}. Also in {@code @BeforeAll}.
 * </ul>
 *
 * <h2>Lifecycle</h2>
 *
 * One control plane serves the whole test run (all classes): it starts on first use, in a
 * temporary directory with random loopback ports, and stops when JUnit closes its root context.
 * A JVM shutdown hook and a watchdog process that follows the JVM's pid also stop it, so no etcd
 * or kube-apiserver outlives the run, even when a test fails or the JVM is killed. Startup takes
 * a few seconds once the binaries are in the cache; Maven's {@code pre-integration-test} phase
 * runs {@code scripts/control-plane ensure} so they are.
 *
 * <h2>When the control plane is unavailable</h2>
 *
 * If Go is not installed and the binaries are not cached, tests are skipped (aborted) with a
 * message saying how to enable them - except with {@code CI=true}, where that is a failure. Any
 * other startup problem always fails the tests.
 */
public final class KubeApiServerExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(KubeApiServerExtension.class);
  private static final String TEST_CLIENT = "test-client";

  @Override
  public void beforeEach(ExtensionContext context) {
    ControlPlane cluster = controlPlane(context);
    String name = namespaceName(context);
    cluster
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("paved.dev/test", "true")
                .endMetadata()
                .build())
        .create();
    NamespacedKubernetesClient client =
        cluster.client().adapt(NamespacedKubernetesClient.class).inNamespace(name);
    context.getStore(NAMESPACE).put(TEST_CLIENT, client);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    KubernetesClient client = context.getStore(NAMESPACE).remove(TEST_CLIENT, KubernetesClient.class);
    if (client != null) {
      // Without a controller manager the namespace stays Terminating; its name is never reused.
      client.namespaces().withName(client.getNamespace()).delete();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class
        || type == NamespacedKubernetesClient.class
        || type == ControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == ControlPlane.class) {
      return controlPlane(context);
    }
    KubernetesClient client = context.getStore(NAMESPACE).get(TEST_CLIENT, KubernetesClient.class);
    if (client == null) {
      throw new ParameterResolutionException(
          "A KubernetesClient is per test (it works in the test's own namespace): declare it on "
              + "@Test, @BeforeEach or @AfterEach methods; in @BeforeAll use ControlPlane instead");
    }
    return client;
  }

  /** The run's control plane, started on first use and closed with the root context. */
  private static ControlPlane controlPlane(ExtensionContext context) {
    Object value =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(ControlPlane.class, key -> startOrExplain());
    if (value instanceof Skip skip) {
      throw new TestAbortedException(skip.message());
    }
    return (ControlPlane) value;
  }

  /** Remembered in the store so the run tries (and explains) once, not once per test. */
  private record Skip(String message) {}

  private static Object startOrExplain() {
    try {
      return ControlPlane.start(script());
    } catch (ControlPlane.Unavailable e) {
      String message =
          "Real-cluster tests skipped: the Kubernetes control plane is not available because Go is"
              + " not installed. To enable them, install Go 1.26+ (or any Go >= 1.21) and run"
              + " `scripts/control-plane ensure` (or `mvn verify` again). With CI=true this is a"
              + " failure.";
      System.err.println(message);
      return new Skip(message);
    }
  }

  /** scripts/control-plane of this checkout: from {@code paved.basedir} or the working dir up. */
  private static Path script() {
    String basedir = System.getProperty("paved.basedir");
    Path start = Paths.get(basedir != null ? basedir : System.getProperty("user.dir"));
    for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts").resolve("control-plane");
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IllegalStateException(
        "scripts/control-plane not found from " + start + "; set -Dpaved.basedir=<checkout>");
  }

  private static String namespaceName(ExtensionContext context) {
    String test =
        context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
    String kebab =
        test.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "-")
            .replaceAll("(^-+|-+$)", "");
    if (kebab.length() > 48) {
      kebab = kebab.substring(0, 48).replaceAll("-+$", "");
    }
    StringBuilder suffix = new StringBuilder();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 5; i++) {
      suffix.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
    }
    return "it-" + kebab + "-" + suffix;
  }
}
