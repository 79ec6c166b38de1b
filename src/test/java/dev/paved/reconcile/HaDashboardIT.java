package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.server.ApiServer;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * HA in the status and the dashboard: two daemons in this JVM with HA on share two targets through
 * Leases on the real apiserver, one each. The status of the one that does not hold a target names
 * the holder and shows the holder's report from the target's Lease (its commit, {@code SYNCED}),
 * not its own memory; and the dashboard it serves (headless Chromium) shows the holder of each
 * environment as text, and says plainly that it does not hold the other target.
 */
@RealCluster
class HaDashboardIT {

  private static final Duration SYNC = Duration.ofSeconds(90);
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PAVED_CHROMIUM", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(System.getenv().getOrDefault("PAVED_CHROMEDRIVER", "/usr/bin/chromedriver"));

  @TempDir
  Path dir;

  private Daemon a;
  private Daemon b;
  private Vertx vertx;
  private WebDriver browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (Daemon d : new Daemon[] {a, b}) {
      if (d != null) {
        d.close();
      }
    }
  }

  @Test
  void theReplicaThatDoesNotHoldATargetNamesItsHolderAndShowsItsReport(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String base = client.getNamespace();
    String suffix = base.substring(base.lastIndexOf('-') + 1);
    String other = base + "-1";
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(other).endMetadata().build())
        .create();
    List<String> envs = List.of("hadash-" + suffix + "-0", "hadash-" + suffix + "-1");
    LivePlatform p = new LivePlatform(base, envs.get(0)).file("environments/" + envs.get(1) + ".yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: main
        namespace: %s
        createNamespaces: false
        rbac:
          impersonate: false
        """.formatted(other)).service("checkout", "1.0.0");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "two environments");
      a = replica(remote, "a-" + suffix);
      b = replica(remote, "b-" + suffix);
      await(SYNC, "each replica holds one target and synced it at c1", () -> own(a, c1).size() == 1
          && own(b, c1).size() == 1 && !own(a, c1).equals(own(b, c1)));
      String mine = own(a, c1).get(0);
      String theirs = own(b, c1).get(0);

      // a's status of b's target: b named, b's report (not a's memory), no drift of a's.
      await(Duration.ofSeconds(30), "a shows b's report of " + theirs + ": synced at c1", () -> {
        DaemonStatus.Target x = target(a, theirs);
        return x.ha().flatMap(DaemonStatus.Holding::reportedBy).equals(Optional.of("b-" + suffix))
            && x.sync() == DaemonStatus.SyncState.SYNCED;
      });
      DaemonStatus.Target t = target(a, theirs);
      assertThat(t.ha().orElseThrow().holder()).isEqualTo("b-" + suffix);
      assertThat(t.ha().orElseThrow().here()).isFalse();
      assertThat(t.ha().orElseThrow().reportedAt()).isPresent();
      assertThat(t.sync()).isEqualTo(DaemonStatus.SyncState.SYNCED);
      assertThat(t.appliedCommit()).contains(c1);
      assertThat(t.drift()).isEmpty();
      assertThat(a.status().services()).filteredOn(s -> s.environment().equals(theirs)).singleElement()
          .satisfies(s -> assertThat(s.version()).contains("1.0.0"));
      assertThat(target(a, mine).ha().orElseThrow().here()).isTrue();

      // The dashboard served by a.
      vertx = Vertx.vertx();
      int port = ApiServer.start(vertx, a, new ApiServer.Options("127.0.0.1", 0, Optional.of("api-token")))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).port();
      String url = "http://127.0.0.1:" + port + "/";
      browser = browser();
      browser.get(url);
      await(SYNC, "the sign-in form", () -> !browser.findElements(By.id("signin-form")).isEmpty());
      browser.findElement(By.cssSelector("#signin-form input[name=token]")).sendKeys("api-token");
      browser.findElement(By.id("signin-submit")).click();
      await(SYNC, "the grid names the holder of each environment", () ->
          text("#grid th[data-env=" + mine + "] [data-test=holder]").equals("held by replica a-" + suffix + " (this one)")
              && text("#grid th[data-env=" + theirs + "] [data-test=holder]").equals("held by replica b-" + suffix));
      assertThat(text("[data-test=ha-notice]")).contains("Served by replica a-" + suffix)
          .contains("which does not hold platform/" + theirs);
      String cell = "#grid tr[data-service=checkout] td[data-env=" + theirs + "]";
      await(SYNC, "b's cell: its report", () -> text(cell).contains("SYNCED") && text(cell).contains("1.0.0")
          && text(cell).contains("reported by b-" + suffix));
      screenshot("dashboard-ha-grid");

      browser.get(url + "#/environments/" + theirs);
      await(SYNC, "the environment page says a does not hold it", () -> text("[data-test=not-here]")
          .contains("Not held by this replica: this page is served by replica a-" + suffix));
      assertThat(text("[data-test=not-here]")).contains("held by replica b-" + suffix)
          .contains("what replica b-" + suffix + " reported on the target's Lease");
      assertThat(text("[data-test=holder]")).isEqualTo("Replica: held by replica b-" + suffix + ".");
      assertThat(text("[data-test=drift-elsewhere]"))
          .isEqualTo("Not known here: only the holder, replica b-" + suffix + ", watches this target's cluster.");
      screenshot("dashboard-ha-environment");

      browser.get(url + "#/services/checkout");
      await(SYNC, "the service page says a does not hold " + theirs, () -> text("[data-test=not-here][data-env="
          + theirs + "]").contains("Not held by this replica: this page is served by replica a-" + suffix));
      assertThat(text("[data-test=holder][data-env=" + mine + "]"))
          .isEqualTo("Replica: held by replica a-" + suffix + " (this one).");
      assertThat(browser.findElements(By.cssSelector("[data-test=not-here][data-env=" + mine + "]"))).isEmpty();
      assertThat(browser.findElements(By.cssSelector("table[data-env=" + theirs + "]"))).as("objects: the holder's")
          .isEmpty();
      assertThat(text("table[data-env=" + mine + "]")).contains("Deployment");
      screenshot("dashboard-ha-service");

      browser.get(url + "#/environments/" + mine);
      await(SYNC, "the environment page of a's own target", () -> text("[data-test=holder]")
          .equals("Replica: held by replica a-" + suffix + " (this one)."));
      assertThat(browser.findElements(By.cssSelector("[data-test=not-here]"))).isEmpty();
    }
  }

  /** An in-process replica with HA on, short timings (client-go's ratios), reaching the control plane. */
  private Daemon replica(DaemonIT.Remote remote, String id) {
    DaemonConfig.Repo repo = DaemonConfig.repo("platform", remote.url(), "main");
    DaemonConfig config = DaemonConfig.of(dir.resolve("state-" + id), repo).withDefaults(new DaemonConfig.Defaults("main",
        Duration.ofMillis(500), 8, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2))))
        .withHa(new DaemonConfig.Ha(true, Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500),
            Optional.empty(), Optional.of(id)));
    return Daemon.create(remote.reaching(config), Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(500)))
        .start();
  }

  /** The environments {@code d} holds and itself reports synced at {@code commit}. */
  private static List<String> own(Daemon d, String commit) {
    return d.status().targets().stream().filter(t -> t.ha().map(DaemonStatus.Holding::here).orElse(false)
        && t.sync() == DaemonStatus.SyncState.SYNCED && t.appliedCommit().equals(Optional.of(commit)))
        .map(DaemonStatus.Target::environment).toList();
  }

  private static DaemonStatus.Target target(Daemon d, String environment) {
    return d.status().targets().stream().filter(t -> t.environment().equals(environment)).findFirst().orElseThrow();
  }

  private WebDriver browser() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("chromium and chromedriver are required in CI (scripts/browser ensure)");
    }
    Assumptions.assumeTrue(present, "no chromium/chromedriver: run scripts/browser ensure");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1366,900", "--user-data-dir=" + dir.resolve("chrome-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private void screenshot(String name) throws Exception {
    Path out = Path.of("target", "screenshots", name + ".png");
    Files.createDirectories(out.getParent());
    Files.write(out, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  private String text(String css) {
    try {
      return browser.findElement(By.cssSelector(css)).getText();
    } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
      return "";
    }
  }
}
