package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paved history} on a real git repository made in a temp dir. */
class HistoryCommandTest {

  @TempDir
  Path work;
  Path repo;
  Path config;
  Git git;
  String base;

  @BeforeEach
  void baseCommit() throws Exception {
    repo = work.resolve("repo");
    config = repo.resolve("config");
    ExamplesTest.copy(ExamplesTest.PLATFORM, config);
    git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
    base = commit("base", "Platform Team", "platform@example.com");
  }

  private String commit(String message, String name, String email) throws Exception {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    return git.commit().setMessage(message).setAuthor(name, email).setCommitter(name, email).setSign(false)
        .call().getName();
  }

  private void edit(String path, String from, String to) throws Exception {
    Path p = config.resolve(path);
    String text = Files.readString(p);
    assertThat(text).contains(from);
    Files.writeString(p, text.replace(from, to));
  }

  @Test
  void listsOnlyCommitsThatChangeWhatIsRenderedWithImagesBeforeAndAfter() throws Exception {
    edit("services/catalog/env/dev.yaml", "tag: 3.6.0", "tag: 3.7.0");
    String bump = commit("catalog 3.7.0 in dev", "Alice", "alice@example.com");
    // A comment changes a file of the service but nothing rendered.
    Files.writeString(config.resolve("services/catalog/service.yaml"),
        "# owned by storefront\n" + Files.readString(config.resolve("services/catalog/service.yaml")));
    String comment = commit("a comment", "Bob", "bob@example.com");
    // A file outside the config directory is not a commit of the config repo at all.
    Files.writeString(repo.resolve("NOTES.md"), "notes\n");
    commit("notes", "Bob", "bob@example.com");

    Cli r = Cli.run("history", config.toString(), "--service", "catalog", "--max-count", "2");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out())
        .contains(bump.substring(0, 12) + "  ")
        .contains("Alice <alice@example.com>  catalog 3.7.0 in dev")
        .contains("catalog @ dev: changed (1 object)  image registry.example.com/storefront/catalog:3.6.0"
            + " -> registry.example.com/storefront/catalog:3.7.0")
        .doesNotContain(comment.substring(0, 12))
        .doesNotContain("@ staging").doesNotContain("@ prod").doesNotContain(base.substring(0, 12));
  }

  @Test
  void anEnvironmentChangeIsAChangeOfEveryServiceInItAndInvalidCommitsAreSkipped() throws Exception {
    edit("services/web/env/staging.yaml", "tag: 5.2.1", "tagg: 5.2.1");
    commit("broken", "Mallory", "mallory@example.com");
    edit("services/web/env/staging.yaml", "tagg: 5.2.1", "tag: 5.2.1");
    edit("environments/staging.yaml", "  environment: staging", "  environment: staging\n  region: eu-west-1");
    String env = commit("label staging", "Platform Team", "platform@example.com");

    Cli r = Cli.run("history", config.toString(), "--env", "staging", "--format", "json", "--max-count", "2");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    JsonNode entries = new ObjectMapper().readTree(r.out());
    assertThat(entries).as(r.out()).hasSize(1);
    JsonNode entry = entries.get(0);
    assertThat(entry.path("commit").asText()).isEqualTo(env);
    assertThat(entry.path("author").asText()).isEqualTo("Platform Team");
    assertThat(entry.path("changes")).hasSizeGreaterThan(1);
    for (JsonNode c : entry.path("changes")) {
      assertThat(c.path("environment").asText()).isEqualTo("staging");
      assertThat(c.path("change").asText()).isEqualTo("changed");
      assertThat(c.path("imagesBefore")).isEqualTo(c.path("imagesAfter"));
    }
  }

  @Test
  void markdownIsAChangelogTable() throws Exception {
    edit("services/catalog/env/dev.yaml", "tag: 3.6.0", "tag: 3.7.0");
    commit("catalog | 3.7.0", "Alice", "alice@example.com");
    Cli r = Cli.run("history", config.toString(), "--service", "catalog", "--env", "dev", "--format", "markdown",
        "--max-count", "1");
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).startsWith("| commit | when | author | service | environment | change | image |")
        .contains("catalog \\| 3.7.0").contains("| catalog | dev | changed | `registry.example.com/storefront/catalog:3.6.0`");
  }

  @Test
  void notAGitRepoIsAUsageError() {
    Cli r = Cli.run("history", work.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("not inside a git repository");
  }
}
