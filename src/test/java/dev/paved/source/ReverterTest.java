package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.MergeResult;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReverterTest {

  private static final String V1 = "name: checkout\nimage: checkout:1.0.0\nreplicas: 2\n";
  private static final String V2 = "name: checkout\nimage: checkout:2.0.0\nreplicas: 2\n";

  @TempDir
  Path tmp;
  TestRemote remote;
  GitMirror mirror;
  RevCommit c1;
  RevCommit c2;
  RevCommit c3;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp);
    c1 = remote.write("services/checkout/service.yaml", V1).write("environments/dev.yaml", "tier: dev\n")
        .commitAndPush("Add checkout");
    c2 = remote.write("services/checkout/service.yaml", V2).commitAndPush("Bump checkout to 2.0.0");
    c3 = remote.write("environments/dev.yaml", "tier: dev\nregion: eu\n").commitAndPush("Pin dev to eu");
    mirror = GitMirror.open(tmp.resolve("state"), "platform", GitRemote.of(remote.url()));
  }

  @AfterEach
  void tearDown() {
    mirror.close();
    remote.close();
  }

  @Test
  void pushesTheRevertToTheBranchWithAuthorAndMessage() throws Exception {
    Reverter.Result r = mirror.revert(c2.name().substring(0, 8)).setActor("Alice Admin <alice@example.com>")
        .setReason("2.0.0 breaks payments").call();

    ObjectId head = remote.head("main");
    assertThat(r).isEqualTo(new Reverter.Result(head.name(), "main", c2.name(), "Bump checkout to 2.0.0", "main",
        false, List.of("services/checkout/service.yaml"), "Alice Admin <alice@example.com>"));
    RevCommit revert = remote.commitOf(head);
    assertThat(revert.getParents()).containsExactly(c3);
    assertThat(revert.getFullMessage()).isEqualTo("Revert \"Bump checkout to 2.0.0\"\n\n"
        + "This reverts commit " + c2.name() + ".\n\n"
        + "Rolled back by Alice Admin <alice@example.com> with paved: 2.0.0 breaks payments\n");
    assertThat(revert.getAuthorIdent().getName()).isEqualTo("Alice Admin");
    assertThat(revert.getAuthorIdent().getEmailAddress()).isEqualTo("alice@example.com");
    assertThat(revert.getCommitterIdent().getName()).isEqualTo("Paved");
    assertThat(remote.fileAt(head, "services/checkout/service.yaml")).isEqualTo(V1);
    assertThat(remote.fileAt(head, "environments/dev.yaml")).isEqualTo("tier: dev\nregion: eu\n");

    // The mirror's branch is left to the next fetch, which reports the revert as a move.
    GitMirror.FetchResult f = mirror.fetch();
    assertThat(f.head()).isEqualTo(head.name());
    assertThat(f.moved()).isTrue();

    // Git log on the remote shows who rolled back what.
    Iterable<RevCommit> log = org.eclipse.jgit.api.Git.open(remote.bare().toFile()).log().setMaxCount(1).call();
    assertThat(log.iterator().next().getShortMessage()).isEqualTo("Revert \"Bump checkout to 2.0.0\"");
  }

  @Test
  void defaultsToPavedAsAuthorAndAcceptsAPlainName() throws Exception {
    Reverter.Result r = mirror.revert(c2.name()).call();
    RevCommit revert = remote.commitOf(ObjectId.fromString(r.revertCommit()));
    assertThat(revert.getAuthorIdent().getName()).isEqualTo("Paved");
    assertThat(revert.getFullMessage()).endsWith("\n\nRolled back by Paved <paved@localhost> with paved.\n");

    assertThat(Reverter.format(Reverter.parseActor("alice"))).isEqualTo("alice");
    assertThatThrownBy(() -> Reverter.parseActor("<x@y>")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reverter.parseActor("Eve\nCommitter: x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReviewBranchGetsTheRevertAndTheBranchIsLeftAlone() throws Exception {
    Reverter.Result r = mirror.revert(c2.name()).setPrBranch("rollback/checkout-2").setReason("review first").call();

    assertThat(remote.head("main")).isEqualTo(c3);
    ObjectId pr = remote.head("rollback/checkout-2");
    assertThat(pr).isNotNull();
    assertThat(r.revertCommit()).isEqualTo(pr.name());
    assertThat(r.pushedTo()).isEqualTo("rollback/checkout-2");
    assertThat(r.branch()).isEqualTo("main");
    assertThat(r.reviewBranch()).isTrue();
    assertThat(remote.commitOf(pr).getParents()).containsExactly(c3);
    assertThat(remote.fileAt(pr, "services/checkout/service.yaml")).isEqualTo(V1);

    // The same name again: refused, nothing overwritten.
    assertThatThrownBy(() -> mirror.revert(c3.name()).setPrBranch("rollback/checkout-2").call())
        .isInstanceOf(PushRejectedException.class).hasMessageContaining("rollback/checkout-2 already exists");
    assertThat(remote.head("rollback/checkout-2")).isEqualTo(pr);
  }

  @Test
  void aConflictingRevertPushesNothingAndNamesTheFiles() throws Exception {
    RevCommit c4 = remote.write("services/checkout/service.yaml", V2.replace("2.0.0", "2.1.0")).commitAndPush("2.1.0");

    assertThatThrownBy(() -> mirror.revert(c2.name()).call())
        .isInstanceOfSatisfying(RevertConflictException.class,
            e -> assertThat(e.paths()).containsExactly("services/checkout/service.yaml"))
        .hasMessageContaining("conflicts with later changes on main in services/checkout/service.yaml")
        .hasMessageContaining("Nothing was pushed");
    assertThat(remote.head("main")).isEqualTo(c4);
    assertThat(remote.branches()).containsExactly("main");
  }

  @Test
  void aCommitNotOnTheBranchIsRefused() throws Exception {
    remote.git().checkout().setCreateBranch(true).setName("feature").call();
    RevCommit f = remote.write("services/checkout/service.yaml", "feature\n").commitAndPush("feature work");

    assertThatThrownBy(() -> mirror.revert(f.name()).call()).isInstanceOf(CommitNotFoundException.class)
        .hasMessageContaining("unknown commit " + f.name());
    assertThatThrownBy(() -> mirror.revert("0123456789abcdef0123456789abcdef01234567").call())
        .isInstanceOf(CommitNotFoundException.class);

    // Known to the mirror (another branch fetched into it) but not on main.
    try (GitMirror feature = GitMirror.open(tmp.resolve("state"), "platform", GitRemote.of(remote.url()).withBranch("feature"))) {
      feature.fetch();
    }
    assertThatThrownBy(() -> mirror.revert(f.name()).call()).isInstanceOf(CommitNotFoundException.class)
        .hasMessageContaining("is not on branch main");
    assertThat(remote.head("main")).isEqualTo(c3);
  }

  @Test
  void aMergeCommitNeedsAMainline() throws Exception {
    remote.git().checkout().setCreateBranch(true).setName("feature").setStartPoint(c3).call();
    remote.write("services/payments/service.yaml", "name: payments\n").commit("Add payments");
    remote.git().checkout().setName("main").call();
    remote.write("environments/prod.yaml", "tier: prod\n").commit("Add prod");
    MergeResult merge = remote.git().merge().include(remote.git().getRepository().resolve("feature"))
        .setMessage("Merge feature").setCommit(true).call();
    assertThat(merge.getMergeStatus().isSuccessful()).isTrue();
    remote.push();
    ObjectId mergeId = merge.getNewHead();

    assertThatThrownBy(() -> mirror.revert(mergeId.name()).call()).isInstanceOf(RevertRefusedException.class)
        .hasMessageContaining("is a merge commit");
    ObjectId before = remote.head("main");
    assertThat(before).isEqualTo(mergeId);

    Reverter.Result r = mirror.revert(mergeId.name()).setMainlineParent(1).call();
    ObjectId head = remote.head("main");
    assertThat(r.paths()).containsExactly("services/payments/service.yaml");
    assertThat(remote.fileAt(head, "services/payments/service.yaml")).isNull();
    assertThat(remote.fileAt(head, "environments/prod.yaml")).isEqualTo("tier: prod\n");
    assertThat(remote.commitOf(head).getFullMessage()).contains(", reversing\nchanges made to ");
  }

  @Test
  void revertingTwiceFindsNothingToRevert() throws Exception {
    mirror.revert(c2.name()).call();
    ObjectId head = remote.head("main");
    assertThatThrownBy(() -> mirror.revert(c2.name()).call()).isInstanceOf(NothingToRevertException.class)
        .hasMessageContaining("already undone");
    assertThat(remote.head("main")).isEqualTo(head);
  }

  @Test
  void aBranchThatMovedMeanwhileIsRetriedOnceAfterFetching() throws Exception {
    RevCommit[] moved = new RevCommit[1];
    Reverter.Result r = mirror.revert(c2.name()).beforePush(attempt -> {
      if (attempt == 1) {
        moved[0] = commitAndPush("README.md", "someone else pushed\n", "Concurrent change");
      }
    }).call();

    ObjectId head = remote.head("main");
    assertThat(r.revertCommit()).isEqualTo(head.name());
    assertThat(remote.commitOf(head).getParents()).containsExactly(moved[0]);
    assertThat(remote.fileAt(head, "README.md")).isEqualTo("someone else pushed\n");
    assertThat(remote.fileAt(head, "services/checkout/service.yaml")).isEqualTo(V1);
  }

  @Test
  void aReasonThatIsNotOneLineIsRefusedBeforeAnythingIsPushed() throws Exception {
    ObjectId before = remote.head("main");
    for (String forged : List.of("oops\n\nSigned-off-by: CTO <cto@example.com>", "tab\there", "esc\u001b[2J",
        "sep\u2028arator", "x".repeat(RevertReason.MAX_LENGTH + 1))) {
      assertThatThrownBy(() -> mirror.revert(c2.name()).setReason(forged).call())
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the reason ");
    }
    assertThat(remote.head("main")).isEqualTo(before);
    assertThat(RevertReason.flatten("degraded:\n  pod\tcrash\u2028loop\r\n", 500)).isEqualTo("degraded:   pod crash loop");
    assertThat(RevertReason.problem(RevertReason.flatten("a\nb".repeat(2000), 9999))).isEmpty();
  }

  @Test
  void aBranchThatKeepsMovingIsAClearError() throws Exception {
    int[] n = {0};
    assertThatThrownBy(() -> mirror.revert(c2.name()).beforePush(
        attempt -> commitAndPush("README.md", "change " + ++n[0] + "\n", "Concurrent change " + n[0])).call())
        .isInstanceOf(PushRejectedException.class).hasMessageContaining("moved again while reverting (tried twice)");
    assertThat(remote.fileAt(remote.head("main"), "services/checkout/service.yaml")).isEqualTo(V2);
    assertThat(n[0]).isEqualTo(2);
  }

  @Test
  void aCommitOutsideTheConfigPathIsRefused() throws Exception {
    RevCommit docs = remote.write("docs/README.md", "docs\n").commitAndPush("Docs");
    try (GitMirror sub = GitMirror.open(tmp.resolve("state"), "sub", GitRemote.of(remote.url()).withPath("services"))) {
      assertThatThrownBy(() -> sub.revert(docs.name()).call()).isInstanceOf(RevertRefusedException.class)
          .hasMessageContaining("changes nothing under services");
      assertThat(sub.revert(c2.name()).call().paths()).containsExactly("services/checkout/service.yaml");
    }
  }

  @Test
  void aCommitAlsoChangingFilesOutsideThePathIsRefusedOrRevertedOnlyUnderThePath() throws Exception {
    RevCommit both = remote.write("services/checkout/service.yaml", V1.replace("2", "3"))
        .write("docs/README.md", "docs v2\n").commitAndPush("Checkout replicas 3, docs");
    ObjectId before = remote.head("main");
    try (GitMirror sub = GitMirror.open(tmp.resolve("state"), "sub", GitRemote.of(remote.url()).withPath("services"))) {
      assertThatThrownBy(() -> sub.revert(both.name()).call())
          .isInstanceOf(RevertRefusedException.class)
          .hasMessageContaining("also changes files outside services (the config repo): docs/README.md")
          .hasMessageContaining("Nothing was pushed");
      assertThat(remote.head("main")).isEqualTo(before);

      Reverter.Result r = sub.revert(both.name()).setPathOnly(true).call();
      assertThat(r.paths()).containsExactly("services/checkout/service.yaml");
      ObjectId head = remote.head("main");
      assertThat(remote.fileAt(head, "services/checkout/service.yaml")).isEqualTo(V2);
      assertThat(remote.fileAt(head, "docs/README.md")).isEqualTo("docs v2\n");
      assertThat(remote.fileAt(head, "environments/dev.yaml")).isEqualTo("tier: dev\nregion: eu\n");

      // A commit inside the path alone is reverted as usual, path-only or not.
      assertThat(sub.revert(c2.name()).setPathOnly(true).call().paths())
          .containsExactly("services/checkout/service.yaml");
    }
  }

  @Test
  void refusesToPushToABranchCheckedOutInALocalWorkingTree() throws Exception {
    try (GitMirror onWork = GitMirror.open(tmp.resolve("state"), "work", GitRemote.of(remote.work().toString()))) {
      assertThatThrownBy(() -> onWork.revert(c2.name()).call()).isInstanceOf(RevertRefusedException.class)
          .hasMessageContaining("is checked out in the working tree");
      // A review branch is fine.
      assertThat(onWork.revert(c2.name()).setPrBranch("rollback").call().pushedTo()).isEqualTo("rollback");
    }
  }

  private RevCommit commitAndPush(String path, String text, String message) {
    try {
      return remote.write(path, text).commitAndPush(message);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
