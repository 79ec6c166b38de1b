package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.RefUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reviews follow ownership: {@code paved codeowners}, the stale warning, and the commands of examples/ci. */
class CodeownersCommandTest {

  @TempDir
  Path work;

  @Test
  void theExamplesCommittedCodeownersIsWhatTheCommandPrints() throws Exception {
    Cli r = Cli.run("codeowners", ExamplesTest.PLATFORM.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).isEqualTo(Files.readString(ExamplesTest.PLATFORM.resolve(".github/CODEOWNERS")))
        .contains("\n/teams/ @webshop/platform-team\n")
        .contains("\n/.github/CODEOWNERS @webshop/platform-team\n")
        .contains("\n/services/checkout/ @webshop/payments payments-leads@example.com\n")
        .contains("\n/services/web/ @webshop/storefront\n");
    assertThat(Cli.run("validate", ExamplesTest.PLATFORM.toString()).out()).doesNotContain("CODEOWNERS");
  }

  @Test
  void gitlabGetsTheSameRulesInSections() {
    Cli r = Cli.run("codeowners", ExamplesTest.PLATFORM.toString(), "--format", "gitlab");
    assertThat(r.exit()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("\n[Platform]\n/platform.yaml @webshop/platform-team\n")
        .contains("\n[Team storefront]\n/services/catalog/ @webshop/storefront\n");
  }

  @Test
  void validateWarnsWhenTheCommittedFileIsStale() throws Exception {
    Path repo = work.resolve("repo");
    ExamplesTest.copy(ExamplesTest.PLATFORM, repo);
    Path team = repo.resolve("teams/storefront.yaml");
    Files.writeString(team, Files.readString(team).replace("@webshop/storefront", "@webshop/shopfront"));

    Cli r = Cli.run("validate", repo.toString());
    assertThat(r.exit()).as("a warning, not an error").isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains(".github/CODEOWNERS:1:1: warning: .github/CODEOWNERS does not match the teams' "
        + "owners; run: paved codeowners > .github/CODEOWNERS");

    Files.writeString(repo.resolve(".github/CODEOWNERS"), Cli.run("codeowners", repo.toString()).out());
    assertThat(Cli.run("validate", repo.toString()).out()).doesNotContain("CODEOWNERS");
  }

  @Test
  void theCommandsOfTheCiDefinitionsWork() throws Exception {
    String github = Files.readString(Path.of("examples/ci/github-actions.yml"));
    String gitlab = Files.readString(Path.of("examples/ci/gitlab-ci.yml"));
    assertThat(github).contains("paved.jar\" diff . --base \"origin/${{ github.base_ref }}\" --format markdown")
        .contains("paved.jar\" validate .");
    assertThat(gitlab).contains("paved.jar diff . --base \"$CI_MERGE_REQUEST_DIFF_BASE_SHA\" --format markdown")
        .contains("paved.jar validate .");

    // A clone as CI has it: the config repo at the root, the base branch as origin/main.
    Path repo = work.resolve("clone");
    ExamplesTest.copy(ExamplesTest.PLATFORM, repo);
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      var base = git.commit().setMessage("base").setAuthor("Dev", "dev@example.com")
          .setCommitter("Dev", "dev@example.com").setSign(false).call();
      RefUpdate u = git.getRepository().updateRef("refs/remotes/origin/main");
      u.setNewObjectId(base);
      u.update();
      Path dev = repo.resolve("services/web/env/dev.yaml");
      Files.writeString(dev, Files.readString(dev) + "replicas: 2\n");
      git.add().addFilepattern(".").call();
      git.commit().setMessage("two web pods in dev").setAuthor("Dev", "dev@example.com")
          .setCommitter("Dev", "dev@example.com").setSign(false).call();
    }

    Cli diff = Cli.run("diff", repo.toString(), "--base", "origin/main", "--format", "markdown");
    assertThat(diff.exit()).as(diff.err()).isEqualTo(ExitCodes.OK);
    assertThat(diff.out()).contains("| Environment | Cluster | Add | Change | Remove |")
        .contains("Deployment/storefront-dev/web");
    Cli validate = Cli.run("validate", repo.toString());
    assertThat(validate.exit()).as(validate.out()).isEqualTo(ExitCodes.OK);
  }
}
