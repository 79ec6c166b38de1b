package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paved diff} on a real git repository made in a temp dir. */
class DiffCommandTest {

  @TempDir
  Path work;
  Path repo;
  Git git;

  @BeforeEach
  void baseCommit() throws Exception {
    repo = work.resolve("repo");
    Path config = repo.resolve("config");
    ExamplesTest.copy(ExamplesTest.PLATFORM, config);
    git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
    commit("base");
  }

  private String commit(String message) throws Exception {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    return git.commit().setMessage(message).setAuthor("Dev", "dev@example.com")
        .setCommitter("Dev", "dev@example.com").setSign(false).call().getName();
  }

  private void edit(String path, String from, String to) throws Exception {
    Path p = repo.resolve("config").resolve(path);
    String text = Files.readString(p);
    assertThat(text).contains(from);
    Files.writeString(p, text.replace(from, to));
  }

  @Test
  void oneLinePromotionShowsOneChangedDeploymentPerEnvironment() throws Exception {
    String base = git.getRepository().resolve("HEAD").getName();
    edit("services/catalog/env/dev.yaml", "tag: 3.6.0", "tag: 9.9.9");
    commit("catalog: new version in dev");
    // Uncommitted edits are not part of HEAD: diff reads git objects, not the work tree.
    edit("services/web/env/dev.yaml", "tag: 5.3.0", "tag: 0.0.0");

    Cli r = Cli.run("diff", "--base", base, repo.resolve("config").toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("Environment dev (cluster nonprod): 0 to add, 1 to change, 0 to remove")
        .contains("~ Deployment/storefront-dev/catalog")
        .contains("-          image: registry.example.com/storefront/catalog:3.6.0")
        .contains("+          image: registry.example.com/storefront/catalog:9.9.9")
        .contains("Environment prod (cluster prod-eu): 0 to add, 0 to change, 0 to remove")
        .doesNotContain("web:0.0.0");
  }

  @Test
  void removedServiceAndNewFindingInMarkdown() throws Exception {
    String base = git.getRepository().resolve("HEAD").getName();
    git.rm().addFilepattern("config/services/notifications").call();
    edit("services/checkout/env/dev.yaml", "tag: 1.15.0-rc.2", "tag: latest");
    commit("remove notifications, break checkout");

    Cli r = Cli.run("diff", "--base", base, "--head", "HEAD", "--format", "markdown",
        repo.resolve("config").toString());
    assertThat(r.exit()).as("head violates an enforced policy").isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out()).contains("| Environment | Cluster | Add | Change | Remove |")
        .contains("<details><summary><code>- Deployment/platform-prod/notifications</code> removed</summary>")
        .contains(":no_entry: **blocks** `services/checkout/env/dev.yaml:")
        .contains("```diff");
  }

  @Test
  void secretLiteralsAreMaskedInDiffs() throws Exception {
    String base = git.getRepository().resolve("HEAD").getName();
    edit("services/catalog/service.yaml", "variables:\n", "variables:\n  UPSTREAM_TOKEN: hunter2-very-secret\n");
    commit("leak a token");
    Cli r = Cli.run("diff", "--base", base, "--format", "json", repo.resolve("config").toString());
    assertThat(r.out()).doesNotContain("hunter2").contains("UPSTREAM_TOKEN").contains("<redacted:");
  }

  @Test
  void unknownRevisionIsAUsageError() {
    Cli r = Cli.run("diff", "--base", "no-such-branch", repo.resolve("config").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("unknown git revision \"no-such-branch\"");
  }
}
