package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.source.TestRemote;
import java.nio.file.Path;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackCommandTest {

  @TempDir
  Path tmp;
  TestRemote remote;
  RevCommit c1;
  RevCommit c2;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp);
    c1 = remote.write("platform/services/checkout/service.yaml", "image: checkout:1\n").write("README.md", "hi\n")
        .commitAndPush("Add checkout");
    c2 = remote.write("platform/services/checkout/service.yaml", "image: checkout:2\n").commitAndPush("Checkout 2");
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  @Test
  void revertsAndPushesToTheBranch() throws Exception {
    Cli r = Cli.run("rollback", "--repo", remote.bare().toString(), "--reason", "bad release",
        "--author", "Alice <alice@example.com>", "--path", "platform", c2.name().substring(0, 7));

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    ObjectId head = remote.head("main");
    assertThat(r.out()).isEqualTo("Reverted " + c2.name().substring(0, 7) + " \"Checkout 2\" on main of "
        + remote.bare() + "\n"
        + "  revert commit " + head.name() + " by Alice <alice@example.com>\n"
        + "  reverts platform/services/checkout/service.yaml\n"
        + "Pushed to main.\n");
    assertThat(r.err()).isEmpty();
    RevCommit revert = remote.commitOf(head);
    assertThat(revert.getFullMessage()).endsWith("Rolled back by Alice <alice@example.com> with paved: bad release\n");
    assertThat(remote.fileAt(head, "platform/services/checkout/service.yaml")).isEqualTo("image: checkout:1\n");
  }

  @Test
  void pushesToAReviewBranchAndLeavesTheBranchAlone() throws Exception {
    Cli r = Cli.run("rollback", "--repo", remote.url(), "--pr-branch", "rollback-checkout", c2.name());

    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(remote.head("main")).isEqualTo(c2);
    assertThat(remote.head("rollback-checkout")).isNotNull();
    assertThat(r.out()).contains("by Paved <paved@localhost>")
        .endsWith("Pushed to new branch rollback-checkout; main is unchanged. Open a pull request from"
            + " rollback-checkout into main to roll back.\n");
  }

  @Test
  void aConflictExitsOneAndPushesNothing() throws Exception {
    RevCommit c3 = remote.write("platform/services/checkout/service.yaml", "image: checkout:3\n").commitAndPush("3");

    Cli r = Cli.run("rollback", "--repo", remote.url(), c2.name());

    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("paved: reverting " + c2.name().substring(0, 7) + " \"Checkout 2\" conflicts")
        .contains("platform/services/checkout/service.yaml").contains("Nothing was pushed");
    assertThat(remote.head("main")).isEqualTo(c3);
    assertThat(remote.branches()).containsExactly("main");
  }

  @Test
  void unknownCommitBranchOrRepoAreUsageErrors() throws Exception {
    Cli commit = Cli.run("rollback", "--repo", remote.url(), "deadbeef");
    assertThat(commit.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(commit.err()).startsWith("paved: unknown commit deadbeef");

    Cli branch = Cli.run("rollback", "--repo", remote.url(), "--branch", "prod", c2.name());
    assertThat(branch.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(branch.err()).isEqualTo("paved: branch prod does not exist in " + remote.url() + "\n");

    Cli repo = Cli.run("rollback", "--repo", tmp.resolve("missing.git").toString(), c2.name());
    assertThat(repo.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(repo.err()).startsWith("paved: no git repository at ");

    Cli author = Cli.run("rollback", "--repo", remote.url(), "--author", "<nobody@example.com>", c2.name());
    assertThat(author.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(author.err()).contains("has no name");

    Cli path = Cli.run("rollback", "--repo", remote.url(), "--path", "elsewhere", c2.name());
    assertThat(path.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(path.err()).contains("changes nothing under elsewhere");

    Cli missing = Cli.run("rollback", c2.name());
    assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("Missing required option: '--repo=URL|PATH'");

    assertThat(remote.head("main")).isEqualTo(c2);
  }

  @Test
  void aReasonThatIsNotOneLineIsAUsageErrorAndNothingIsPushed() throws Exception {
    Cli r = Cli.run("rollback", "--repo", remote.url(), "--reason", "bad release\n\nSigned-off-by: CTO <cto@example.com>",
        c2.name());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).isEqualTo("paved: --reason must be one line: control characters (line breaks, tabs, escapes)"
        + " are refused, since the reason goes into the revert's commit message; nothing was reverted\n");
    assertThat(r.out()).isEmpty();
    assertThat(Cli.run("rollback", "--repo", remote.url(), "--reason", "x".repeat(2001), c2.name()).err())
        .contains("--reason is longer than 2000 characters");
    assertThat(remote.head("main")).isEqualTo(c2);
    assertThat(remote.branches()).containsExactly("main");
  }

  @Test
  void aCommitAlsoChangingFilesOutsideThePathIsRefusedUnlessPathOnly() throws Exception {
    RevCommit both = remote.write("platform/services/checkout/service.yaml", "image: checkout:3\n")
        .write("README.md", "hello\n").commitAndPush("Checkout 3, README");

    Cli refused = Cli.run("rollback", "--repo", remote.url(), "--path", "platform", both.name());
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).startsWith("paved: commit " + both.name().substring(0, 7) + " also changes files outside"
        + " platform (the config repo): README.md. Nothing was pushed.").contains("--path-only in paved rollback");
    assertThat(remote.head("main")).isEqualTo(both);
    assertThat(remote.branches()).containsExactly("main");

    Cli noPath = Cli.run("rollback", "--repo", remote.url(), "--path-only", both.name());
    assertThat(noPath.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noPath.err()).contains("give --path SUBDIR");
    assertThat(remote.head("main")).isEqualTo(both);

    Cli pathOnly = Cli.run("rollback", "--repo", remote.url(), "--path", "platform", "--path-only", both.name());
    assertThat(pathOnly.exit()).as(pathOnly.err()).isEqualTo(ExitCodes.OK);
    assertThat(pathOnly.out()).contains("  reverts platform/services/checkout/service.yaml\n").doesNotContain("reverts README");
    ObjectId head = remote.head("main");
    assertThat(remote.fileAt(head, "platform/services/checkout/service.yaml")).isEqualTo("image: checkout:2\n");
    assertThat(remote.fileAt(head, "README.md")).isEqualTo("hello\n");
  }

  @Test
  void revertingAgainChangesNothingAndExitsOne() throws Exception {
    assertThat(Cli.run("rollback", "--repo", remote.url(), c2.name()).exit()).isEqualTo(ExitCodes.OK);
    Cli again = Cli.run("rollback", "--repo", remote.url(), c2.name());
    assertThat(again.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(again.err()).contains("nothing to revert");
  }
}
