package dev.paved.reconcile;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.source.CommitInfo;
import dev.paved.source.ConfigTree;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's reverts of a repo's commits: the API's, and automatic rollbacks (never of a revert). */
class RepoRevertsTest {

  @TempDir
  Path dir;

  private final List<DaemonEvent> events = new CopyOnWriteArrayList<>();
  private final List<DaemonApi.RevertRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger refreshes = new AtomicInteger();
  private final List<DaemonContext> contexts = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    contexts.forEach(DaemonContext::shutdownPools);
  }

  /** A repo whose commit subjects are given and whose reverts are recorded (or fail with {@code failure}). */
  private RepoReverts reverts(Map<String, String> subjects, Exception failure) {
    DaemonConfig.Repo repo = DaemonConfig.repo("platform", "file:///nowhere.git", "main");
    DaemonConfig config = DaemonConfig.of(dir, repo);
    RepoSource source = new RepoSource() {
      @Override
      public String fetch() {
        return "c1";
      }

      @Override
      public ConfigTree read(String commit) {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean isAncestor(String ancestor, String commit) {
        return false;
      }

      @Override
      public DaemonApi.RevertOutcome revert(DaemonApi.RevertRequest request) throws Exception {
        if (failure != null) {
          throw failure;
        }
        requests.add(request);
        String branch = request.reviewBranch().orElse("main");
        return new DaemonApi.RevertOutcome("r-" + request.commit(), branch, request.commit(),
            request.reviewBranch().isPresent(), List.of());
      }

      @Override
      public List<CommitInfo> log(String head, int max) {
        return List.of(new CommitInfo(head, null, "Dev", "dev@example.com", Instant.EPOCH,
            subjects.getOrDefault(head, "")));
      }

      @Override
      public void close() {}
    };
    DaemonContext context = new DaemonContext(config, (r, s) -> source, config.clusters(),
        new DaemonMetrics(new SimpleMeterRegistry(), "test"), Clock.systemUTC(), events::add,
        ApplyHistory.open(dir, ApplyHistory.DEFAULT_PER_TARGET));
    contexts.add(context);
    return new RepoReverts(context, repo, () -> source, new SignatureGate(repo, dir), refreshes::incrementAndGet);
  }

  @Test
  void aDegradedCommitIsRevertedByPavedWithAOneLineReasonAndFetchedAgain() {
    RepoReverts r = reverts(Map.of("c1", "Bump api"), null);
    r.rollBack("prod", "c1", "Deployment api:\nnot available\t" + "x".repeat(600));
    await("the revert is pushed and fetched", () -> refreshes.get() == 1);
    assertThat(requests).singleElement().satisfies(q -> {
      assertThat(q.commit()).isEqualTo("c1");
      assertThat(q.author()).isEqualTo("Paved <paved@localhost>");
      assertThat(q.pathOnly()).isTrue();
      assertThat(q.reason()).startsWith("rollout degraded in prod: Deployment api: not available x").hasSize(500)
          .doesNotContain("\n", "\t");
    });
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(DaemonEvent.Type.ROLLBACK_MADE);
      assertThat(e.commit()).isEqualTo("r-c1");
      assertThat(e.message()).startsWith("commit c1 reverted by Paved <paved@localhost>: rollout degraded in prod");
    });
  }

  @Test
  void aRevertIsNeverRevertedAutomatically() {
    RepoReverts r = reverts(Map.of("c2", "Revert \"Bump api\""), null);
    r.rollBack("prod", "c2", "degraded");
    await("the refusal is told", () -> !events.isEmpty());
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(DaemonEvent.Type.HEALTH_DEGRADED);
      assertThat(e.message()).contains("not reverted automatically: the commit is itself a revert");
    });
    assertThat(requests).isEmpty();
    assertThat(refreshes.get()).isZero();
  }

  @Test
  void aRevertOnAReviewBranchIsNotFetchedAndAFailureSaysWhatCouldNotBeReverted() throws Exception {
    RepoReverts r = reverts(Map.of(), null);
    DaemonApi.RevertOutcome o = r.revert(new DaemonApi.RevertRequest("c3", "", "alice", false,
        Optional.of("review/c3"))).toCompletableFuture().get();
    assertThat(o.reviewBranch()).isTrue();
    assertThat(refreshes.get()).as("not applied until merged").isZero();
    assertThat(events).singleElement().extracting(DaemonEvent::message)
        .isEqualTo("commit c3 reverted by alice on review branch review/c3 (not applied until merged)");

    RepoReverts failing = reverts(Map.of(), new IOException("push refused"));
    assertThat(failing.revert(new DaemonApi.RevertRequest("c4", "why", "bob", false, Optional.empty()))
        .toCompletableFuture()).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(DaemonFailure.class, e -> {
          assertThat(e.kind()).isEqualTo(DaemonFailure.Kind.UNAVAILABLE);
          assertThat(e.getMessage()).isEqualTo("cannot revert c4 on repo platform: push refused");
        });
  }
}
