package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paved.config.Fixtures;
import dev.paved.source.ConfigTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon core without a cluster: fetch, evaluate, blocked commits, retries, coalescing, the API's refusals. */
class DaemonTest {

  @TempDir
  Path dir;

  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  /** An in-memory repo: commits by id, a head, and failures or a gate to inject. */
  static final class FakeSource implements RepoSource {
    final Map<String, ConfigTree> commits = new ConcurrentHashMap<>();
    volatile String head;
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger fetches = new AtomicInteger();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    void commit(String id, Fixtures files) {
      commits.put(id, new ConfigTree(id, files.tree().files()));
      head = id;
    }

    @Override
    public String fetch() throws Exception {
      fetches.incrementAndGet();
      gate.get(10, TimeUnit.SECONDS);
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("remote hung up unexpectedly");
      }
      return head;
    }

    @Override
    public ConfigTree read(String commit) {
      return commits.get(commit);
    }

    @Override
    public boolean isAncestor(String ancestor, String commit) {
      return ancestor.equals(commit); // no history kept: only the same commit
    }

    @Override
    public DaemonApi.RevertOutcome revert(DaemonApi.RevertRequest request) {
      throw new DaemonFailure(DaemonFailure.Kind.UNKNOWN_COMMIT, "no commit " + request.commit());
    }

    @Override
    public void close() {}
  }

  private Daemon daemon(FakeSource source, DaemonConfig.Repo repo) {
    DaemonConfig config = DaemonConfig.of(dir, repo).withDefaults(new DaemonConfig.Defaults("main",
        Duration.ofMinutes(1), 8, new DaemonConfig.Retry(Duration.ofMillis(20), Duration.ofMillis(100))));
    daemon = Daemon.create(config, Daemon.Options.defaults().withSources((r, state) -> source));
    return daemon;
  }

  private Daemon daemon(FakeSource source) {
    return daemon(source, DaemonConfig.repo("platform", "file:///nowhere.git", "main"));
  }

  private static Fixtures broken() {
    return Fixtures.minimal().file("services/checkout/service.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        imag: {}
        """);
  }

  @Test
  void aBlockedFirstCommitIsShownWithPositionsAndNothingIsScheduled() throws Exception {
    FakeSource source = new FakeSource();
    source.commit("c1", broken());
    Daemon d = daemon(source);
    assertThat(d.ready()).isFalse();
    d.refresh("platform").toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(d.ready()).isTrue();
    DaemonStatus s = d.status();
    assertThat(s.ready()).isTrue();
    assertThat(s.targets()).isEmpty();
    assertThat(s.repos()).singleElement().satisfies(r -> {
      assertThat(r.url()).isEqualTo("file:///nowhere.git");
      assertThat(r.headCommit()).contains("c1");
      assertThat(r.lastGoodCommit()).isEmpty();
      assertThat(r.lastError()).hasValueSatisfying(e -> {
        assertThat(e.commit()).contains("c1");
        assertThat(e.summary()).isEqualTo("commit c1 was not applied: 2 errors; nothing applied yet");
        assertThat(e.details()).containsExactly(
            "services/checkout/service.yaml:1:1: error: missing required field \"image\"; add it (see"
                + " schema/service.schema.json)",
            "services/checkout/service.yaml:4:1: error: unknown field \"imag\"; did you mean \"image\"?");
      });
    });
  }

  @Test
  void aFetchFailureIsRetriedWithBackoffCountedAndShownUntilItClears() throws Exception {
    FakeSource source = new FakeSource();
    source.commit("c1", broken());
    source.failuresLeft.set(3);
    Daemon d = daemon(source);
    CompletableFuture<Void> f = d.refresh("platform").toCompletableFuture();
    await("a failure is shown", () -> d.status().repos().get(0).lastError()
        .map(e -> e.summary().equals("cannot fetch branch main of file:///nowhere.git: remote hung up unexpectedly"))
        .orElse(false));
    assertThat(d.ready()).isFalse();
    f.get(10, TimeUnit.SECONDS); // the retries succeed
    assertThat(source.fetches.get()).isEqualTo(4);
    assertThat(d.metrics().find("paved.git.fetch.errors").tag("repo", "platform").counter().count()).isEqualTo(3);
    assertThat(d.ready()).isTrue();
    assertThat(d.status().repos().get(0).lastError()).hasValueSatisfying(e -> assertThat(e.commit()).contains("c1"));
  }

  @Test
  void refreshesDuringAFetchAreCoalesced() throws Exception {
    FakeSource source = new FakeSource();
    source.commit("c1", broken());
    source.gate = new CompletableFuture<>();
    Daemon d = daemon(source);
    CompletableFuture<?>[] all = new CompletableFuture<?>[50];
    for (int i = 0; i < all.length; i++) {
      all[i] = d.refresh("platform").toCompletableFuture();
    }
    await("the first fetch runs", () -> source.fetches.get() == 1);
    source.gate.complete(null);
    CompletableFuture.allOf(all).get(10, TimeUnit.SECONDS);
    assertThat(source.fetches.get()).isEqualTo(2); // the running one, and one for everything that came meanwhile
  }

  @Test
  void theApiRefusesUnknownReposAndPassesRevertRefusalsOn() {
    Daemon d = daemon(new FakeSource());
    assertThat(d.repos()).containsExactly("platform");
    assertThat(d.refresh("nope").toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOfSatisfying(DaemonFailure.class,
            e -> assertThat(e.kind()).isEqualTo(DaemonFailure.Kind.UNKNOWN_REPO));
    assertThat(d.revert("nope", "c1", "why", "me").toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOfSatisfying(DaemonFailure.class,
            e -> assertThat(e.kind()).isEqualTo(DaemonFailure.Kind.UNKNOWN_REPO));
    assertThat(d.revert("platform", "c9", "why", "me").toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOfSatisfying(DaemonFailure.class,
            e -> assertThat(e.kind()).isEqualTo(DaemonFailure.Kind.UNKNOWN_COMMIT));
    assertThatThrownBy(() -> d.webhookSecret("nope")).isInstanceOf(DaemonFailure.class);
  }

  @Test
  void theWebhookSecretIsReadFromItsFileAndAnUnreadableOneIsAnError() throws Exception {
    Path secret = Files.writeString(dir.resolve("hook"), "  s3cret\n");
    DaemonConfig.Repo repo = new DaemonConfig.Repo("platform", "file:///nowhere.git", "main", "",
        Duration.ofMinutes(1), dev.paved.source.Credentials.none(), Optional.of(secret));
    Daemon d = daemon(new FakeSource(), repo);
    assertThat(d.webhookSecret("platform")).contains("s3cret");
    Files.delete(secret);
    assertThatThrownBy(() -> d.webhookSecret("platform")).isInstanceOfSatisfying(DaemonFailure.class,
        e -> assertThat(e.kind()).isEqualTo(DaemonFailure.Kind.UNAVAILABLE));
    d.close();
    daemon = daemon(new FakeSource());
    assertThat(daemon.webhookSecret("platform")).isEmpty();
  }

  @Test
  void startFetchesAtOnceThenPollsEveryPollIntervalOnItsOwnScheduler() throws Exception {
    FakeSource source = new FakeSource();
    source.commit("c1", broken());
    DaemonConfig.Repo repo = new DaemonConfig.Repo("platform", "file:///nowhere.git", "main", "",
        Duration.ofMillis(50), dev.paved.source.Credentials.none(), Optional.empty());
    Daemon d = daemon(source, repo).start();
    await("the first fetch and two polls", () -> source.fetches.get() >= 3);
    assertThat(d.ready()).isTrue();
    d.close();
    assertThat(d.refresh("platform").toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
  }

  @Test
  void aWebhookFindsItsRepoByUrlWhateverFormEachSideUses() {
    DaemonConfig config = DaemonConfig.of(dir,
        DaemonConfig.repo("platform", "https://user@github.com/Acme/Config.git", "main"),
        DaemonConfig.repo("edge", "https://gitlab.example.com:8443/group/sub/repo.git", "main"),
        DaemonConfig.repo("local", "file:///srv/git/platform.git", "main"));
    daemon = Daemon.create(config, Daemon.Options.defaults().withSources((r, state) -> new FakeSource()));
    for (String form : java.util.List.of("https://github.com/Acme/Config.git", "git@github.com:acme/config",
        "ssh://git@github.com:22/acme/config/", "http://github.com/acme/config/")) {
      assertThat(daemon.reposAt(java.util.Set.of(form))).as(form).containsExactly("platform");
    }
    assertThat(daemon.reposAt(java.util.Set.of("git@gitlab.example.com:group/sub/repo"))).containsExactly("edge");
    assertThat(daemon.reposAt(java.util.Set.of("/srv/git/platform"))).containsExactly("local");
    assertThat(daemon.reposAt(java.util.Set.of("https://github.com/acme/config-other", "github.com/acme"))).isEmpty();
  }

  @Test
  void metricsHaveBuildInfoAndCloseRefusesMoreWork() {
    FakeSource source = new FakeSource();
    source.commit("c1", broken());
    Daemon d = daemon(source);
    assertThat(d.metrics().scrape()).contains("paved_build_info{version=");
    d.close();
    assertThat(d.refresh("platform").toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
    d.close(); // twice is fine
  }
}
