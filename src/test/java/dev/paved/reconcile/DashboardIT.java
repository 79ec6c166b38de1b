package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.server.ApiServer;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium) against the
 * daemon on the real apiserver and real git: the grid shows the services, a new commit appears
 * without a reload, the rollback button reverts in git and the page shows the revert, and a
 * refused commit shows its {@code file:line:col} error. Screenshots of the pages are written to
 * {@code target/screenshots/} (the ones in {@code docs/} come from here).
 */
@RealCluster
class DashboardIT {

  private static final Duration SYNC = Duration.ofSeconds(90);
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PAVED_CHROMIUM", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(System.getenv().getOrDefault("PAVED_CHROMEDRIVER", "/usr/bin/chromedriver"));

  @TempDir
  Path dir;

  private Daemon daemon;
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
    if (daemon != null) {
      daemon.close();
    }
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

  @Test
  void gridUpdatesWithoutReloadRollbackRevertsInGitAndRefusedCommitsShowTheirErrors(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0").service("web", "3.1.0");
    try (DaemonIT.Remote remote = new DaemonIT.Remote(dir, cluster.kubeconfig())) {
      String c1 = remote.commit(p, "checkout 1.0.0, web 3.1.0");
      DaemonConfig.Repo repo = DaemonConfig.repo("platform", remote.url(), "main");
      DaemonConfig config = DaemonConfig.of(dir.resolve("state"), repo).withDefaults(new DaemonConfig.Defaults("main",
          Duration.ofMillis(500), 8, new DaemonConfig.Retry(Duration.ofMillis(200), Duration.ofSeconds(2))));
      daemon = Daemon.create(remote.reaching(config), Daemon.Options.defaults().withHealthInterval(Duration.ofMillis(500))).start();
      await(SYNC, "first commit applied", () -> daemon.status().targets().stream()
          .anyMatch(t -> t.appliedCommit().equals(Optional.of(c1))));
      vertx = Vertx.vertx();
      int port = ApiServer.start(vertx, daemon, new ApiServer.Options("127.0.0.1", 0, Optional.of("api-token")))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).port();
      String base = "http://127.0.0.1:" + port + "/";

      browser = browser();
      browser.get(base);
      // The read endpoints need a token: the page asks for one, and a wrong one is refused.
      await(SYNC, "the sign-in form", () -> !browser.findElements(By.id("signin-form")).isEmpty());
      browser.findElement(By.cssSelector("#signin-form input[name=token]")).sendKeys("wrong-token");
      browser.findElement(By.id("signin-submit")).click();
      await(SYNC, "a wrong token is refused", () -> text("[data-test=signin-reason]").contains("wrong bearer token"));
      browser.findElement(By.cssSelector("#signin-form input[name=token]")).sendKeys("api-token");
      browser.findElement(By.id("signin-submit")).click();
      String cell = "#grid tr[data-service=checkout] td[data-env=" + p.environment + "]";
      await(SYNC, "the grid shows checkout 1.0.0", () -> text(cell).contains("1.0.0") && text(cell).contains("SYNCED"));
      assertThat(text("#grid")).contains("web").contains("3.1.0").contains(p.environment);
      screenshot("dashboard-grid");

      // A new commit appears without a reload (the page polls every 2 s).
      String c2 = remote.commit(p.service("checkout", "2.0.0"), "checkout 2.0.0");
      await(SYNC, "the grid shows checkout 2.0.0", () -> text(cell).contains("2.0.0")
          && text(cell).contains(c2.substring(0, 12)));

      // The service page: history with the commit, and the rollback button.
      browser.get(base + "#/services/checkout");
      String row = "#history tr[data-commit='" + c2 + "']";
      await(SYNC, "the history shows checkout 2.0.0", () -> text(row).contains("checkout 2.0.0"));
      assertThat(text("#history")).contains("1.0.0 → registry.example.com/payments/checkout:2.0.0");
      screenshot("dashboard-service");
      browser.findElement(By.cssSelector(row + " button[data-action=rollback]")).click();
      WebElement form = browser.findElement(By.id("rollback-form"));
      form.findElement(By.name("reason")).sendKeys("2.0.0 fails its health checks");
      form.findElement(By.name("token")).sendKeys("api-token");
      browser.findElement(By.id("rollback-submit")).click();
      await(Duration.ofSeconds(30), "the page shows the revert", () -> text("#rollback-result").contains("Reverted"));
      String revert = browser.findElement(By.id("rollback-result")).getAttribute("data-revert");
      try (Git git = Git.open(remote.bare.toFile())) {
        RevCommit head = git.log().add(git.getRepository().resolve("refs/heads/main")).setMaxCount(1).call()
            .iterator().next();
        assertThat(head.getName()).isEqualTo(revert);
        assertThat(head.getFullMessage()).contains("This reverts commit " + c2).contains("2.0.0 fails its health checks");
      }
      browser.get(base);
      await(SYNC, "the grid is back at 1.0.0 at the revert", () -> text(cell).contains("1.0.0")
          && text(cell).contains(revert.substring(0, 12)));

      // A refused commit shows its file:line:col error; the last good commit stays applied. (The work
      // tree first takes the daemon's revert, so that its push is a fast-forward.)
      remote.work.fetch().setRemote(remote.url()).setRefSpecs("refs/heads/main:refs/remotes/origin/main").call();
      remote.work.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("refs/remotes/origin/main")
          .call();
      remote.commit(p, "typo", Map.of("services/checkout/service.yaml",
          "apiVersion: paved.dev/v1alpha1\nkind: Service\nteam: payments\nreplica: 2\nimage:\n"
              + "  repository: registry.example.com/payments/checkout\n  tag: \"1.0.0\"\n"));
      await(SYNC, "the refused commit is shown", () -> text("[data-test=refused]").contains("refused"));
      assertThat(text("[data-test=refused]")).contains("services/checkout/service.yaml:4:1: error:")
          .contains("replica");
      screenshot("dashboard-refused");
    }
  }
}
