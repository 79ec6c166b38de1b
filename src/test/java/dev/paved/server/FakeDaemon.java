package dev.paved.server;

import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.DaemonFailure;
import dev.paved.reconcile.DaemonStatus;
import dev.paved.reconcile.RepoUrls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A DaemonApi for the HTTP edge's tests: repos {@code platform} (with a webhook secret),
 * {@code no-secret} (without) and {@code broken-secret} (whose secret file cannot be read), a fixed
 * status, and a record of every refresh and revert asked.
 */
public final class FakeDaemon implements DaemonApi, AutoCloseable {

  public static final String SECRET = "s3cret-webhook";
  public static final String PLATFORM_URL = "https://github.com/acme/platform-config.git";
  public static final Instant AT = Instant.parse("2026-11-22T10:15:30Z");

  public final AtomicBoolean ready = new AtomicBoolean();
  public final List<String> refreshes = new CopyOnWriteArrayList<>();
  public final List<List<String>> reverts = new CopyOnWriteArrayList<>();
  public final List<List<String>> accepts = new CopyOnWriteArrayList<>();
  public final List<RevertRequest> revertRequests = new CopyOnWriteArrayList<>();
  public final AtomicInteger closes = new AtomicInteger();
  /** How often the full status was built. */
  public final AtomicInteger statusBuilt = new AtomicInteger();
  public volatile Function<String, CompletionStage<RevertOutcome>> revertResult =
      commit -> CompletableFuture.completedFuture(new RevertOutcome("f00dbabe", "main", commit));
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public FakeDaemon() {
    metrics.counter("paved.git.fetch.errors", "repo", "platform").increment(3);
  }

  @Override
  public boolean ready() {
    return ready.get();
  }

  @Override
  public DaemonStatus status() {
    statusBuilt.incrementAndGet();
    return fullStatus();
  }

  private DaemonStatus fullStatus() {
    DaemonStatus.Problem problem = new DaemonStatus.Problem(Optional.of("bad1234"), "1 error",
        List.of("services/api/service.yaml:3:5: error: unknown field \"replica\""), AT);
    return new DaemonStatus(ready.get(),
        List.of(new DaemonStatus.Repo("platform", PLATFORM_URL, "main", Optional.of("bad1234"),
                Optional.of("abc1234"), Optional.of(problem), Optional.of(AT)),
            new DaemonStatus.Repo("no-secret", "file:///tmp/no-secret.git", "main", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())),
        List.of(new DaemonStatus.Target("platform", "prod", "eu-1", Optional.of("abc1234"),
            DaemonStatus.SyncState.SYNCED, "Healthy", "", List.of(
                new DaemonStatus.Drift("apps/Deployment/prod/api", List.of("spec.replicas"), List.of("kubectl"), AT,
                    true)), Map.of("applied", 3L, "pruned", 1L), Optional.empty(), Optional.of(AT))),
        List.of(new DaemonStatus.ServiceInEnvironment("platform", "api", "prod", Optional.of("abc1234"),
            DaemonStatus.SyncState.SYNCED, "Healthy", "platform-team", Optional.of("1.2.3"), 0, Optional.empty())));
  }

  @Override
  public Set<String> repos() {
    return Set.of("platform", "no-secret", "broken-secret");
  }

  @Override
  public List<String> reposAt(java.util.Collection<String> urls) {
    List<String> wanted = urls.stream().map(RepoUrls::normalize).toList();
    return fullStatus().repos().stream().filter(r -> wanted.contains(RepoUrls.normalize(r.url())))
        .map(DaemonStatus.Repo::name).toList();
  }

  @Override
  public CompletionStage<Void> refresh(String repo) {
    if (!repos().contains(repo)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("unknown repo " + repo));
    }
    refreshes.add(repo);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<RevertOutcome> revert(String repo, RevertRequest request) {
    reverts.add(List.of(repo, request.commit(), request.reason(), request.author()));
    revertRequests.add(request);
    return revertResult.apply(request.commit());
  }

  /** Accepts {@code abc1234...} of repo platform only (held in environment prod); refuses anything else. */
  @Override
  public CompletionStage<AcceptOutcome> acceptHead(String repo, String commit, String actor) {
    accepts.add(List.of(repo, commit, actor));
    if (!"abc1234def5678abc1234def5678abc1234def56".startsWith(commit)) {
      return CompletableFuture.failedFuture(new DaemonFailure(DaemonFailure.Kind.CONFLICT, "commit " + commit
          + " is neither the head nor the last good commit of repo " + repo + "; nothing accepted"));
    }
    return CompletableFuture.completedFuture(new AcceptOutcome(repo, "abc1234def5678abc1234def5678abc1234def56",
        List.of("prod")));
  }

  @Override
  public Optional<String> webhookSecret(String repo) {
    if (repo.equals("broken-secret")) {
      throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "cannot read the webhook secret file of repo \"" + repo
          + "\": permission denied");
    }
    return repo.equals("platform") ? Optional.of(SECRET) : Optional.empty();
  }

  @Override
  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  @Override
  public Optional<dev.paved.reconcile.ServiceView> service(String service) {
    return Optional.empty();
  }

  @Override
  public java.util.Map<String, dev.paved.config.Platform> platforms() {
    return java.util.Map.of();
  }
}
