package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitSourceTest {

  private static final PersonIdent AUTHOR = new PersonIdent("Test", "test@example.com");

  @TempDir
  Path tmp;
  Path work;
  Git git;

  @BeforeEach
  void setUp() throws GitAPIException {
    work = tmp.resolve("work");
    git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
  }

  @AfterEach
  void tearDown() {
    git.close();
  }

  private void write(String path, String text) throws IOException {
    Path p = work.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private RevCommit commit(String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    git.add().addFilepattern(".").setUpdate(true).call();
    return git.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
  }

  private static String text(ConfigTree tree, String path) {
    SourceFile f = tree.file(path).orElseThrow(() -> new AssertionError(path + " not in " + tree.files().keySet()));
    return new String(f.content().orElseThrow(() -> new AssertionError(path + ": " + f.problem())),
        StandardCharsets.UTF_8);
  }

  @Test
  void readsEachRevisionFromTheObjectDatabase() throws Exception {
    write("environments/dev.yaml", "tier: dev\n");
    write("services/checkout/service.yaml", "tag: \"1.0.0\"\n");
    RevCommit first = commit("first");
    write("services/checkout/service.yaml", "tag: \"1.1.0\"\n");
    write("services/checkout/env/dev.yaml", "replicas: 2\n");
    RevCommit second = commit("second");
    // an uncommitted change in the working tree is not seen
    write("services/checkout/service.yaml", "tag: \"9.9.9\"\n");

    try (GitSource source = GitSource.open(work)) {
      ConfigTree before = source.read(first.getName());
      ConfigTree after = source.read("HEAD");
      ConfigTree previous = source.read("HEAD~1");

      assertThat(before.revision()).isEqualTo(first.getName());
      assertThat(after.revision()).isEqualTo(second.getName());
      assertThat(previous.revision()).isEqualTo(first.getName());
      assertThat(text(before, "services/checkout/service.yaml")).isEqualTo("tag: \"1.0.0\"\n");
      assertThat(text(after, "services/checkout/service.yaml")).isEqualTo("tag: \"1.1.0\"\n");
      assertThat(before.files()).containsOnlyKeys("environments/dev.yaml", "services/checkout/service.yaml");
      assertThat(after.files()).containsKey("services/checkout/env/dev.yaml");
      assertThat(source.read("main").revision()).isEqualTo(second.getName());
      assertThat(source.resolve(first.getName().substring(0, 10)).getName()).isEqualTo(first.getName());
    }
  }

  @Test
  void configRepoInASubDirectory() throws Exception {
    write("README.md", "# monorepo\n");
    write("platform/environments/dev.yaml", "tier: dev\n");
    write("platform/services/checkout/service.yaml", "team: payments\n");
    write("platform-tools/environments/other.yaml", "not: config\n");
    write("app/src/Main.java", "class Main {}\n");
    RevCommit c = commit("monorepo");

    try (GitSource source = GitSource.open(work.resolve("platform"))) {
      ConfigTree tree = source.read("HEAD");

      assertThat(tree.revision()).isEqualTo(c.getName());
      assertThat(tree.files()).containsOnlyKeys("environments/dev.yaml", "services/checkout/service.yaml");
      assertThat(text(tree, "environments/dev.yaml")).isEqualTo("tier: dev\n");
    }
  }

  @Test
  void aTreeReadFromAnotherCommitHoldsWhatAWholeReadHoldsAndSharesTheUnchangedFiles() throws Exception {
    write("config/environments/dev.yaml", "tier: dev\n");
    write("config/services/a/service.yaml", "a: 1\n");
    write("config/services/b/service.yaml", "b: 1\n");
    write("config/services/b/env/dev.yaml", "replicas: 1\n");
    write("elsewhere/x.yaml", "x: 1\n");
    RevCommit first = commit("first");
    write("config/services/a/service.yaml", "a: 2\n");
    Files.delete(work.resolve("config/services/b/env/dev.yaml"));
    write("config/services/c/service.yaml", "c: 1\n");
    write("elsewhere/x.yaml", "x: 2\n");
    RevCommit second = commit("second");
    Files.delete(work.resolve("config/services/c/service.yaml"));
    Files.delete(work.resolve("config/services/c"));
    write("config/services/c", "now a file\n");
    RevCommit third = commit("third");

    try (GitSource source = GitSource.open(work.resolve("config"))) {
      ConfigTree base = source.read(first.getName());
      for (RevCommit c : java.util.List.of(second, third, first)) {
        ConfigTree whole = source.read(c.getName());
        GitSource.Read from = source.readFrom(c.getName(), base);
        assertThat(from.tree().revision()).isEqualTo(whole.revision());
        assertThat(from.tree().files().keySet()).isEqualTo(whole.files().keySet());
        whole.files().forEach((path, f) -> assertThat(from.tree().files().get(path).sameContent(f)).as(path).isTrue());
      }
      GitSource.Read next = source.readFrom(second.getName(), base);
      assertThat(next.tree().files().get("environments/dev.yaml")).as("unchanged: the same file")
          .isSameAs(base.files().get("environments/dev.yaml"));
      assertThat(text(next.tree(), "services/a/service.yaml")).isEqualTo("a: 2\n");
      assertThat(next.tree().files()).doesNotContainKey("services/b/env/dev.yaml");
    }
  }

  @Test
  void unknownRevisionIsAGitSourceException() throws Exception {
    write("environments/dev.yaml", "tier: dev\n");
    commit("first");

    try (GitSource source = GitSource.open(work)) {
      assertThatThrownBy(() -> source.read("no-such-branch"))
          .isInstanceOf(GitSourceException.class).hasMessageContaining("no-such-branch");
      assertThatThrownBy(() -> source.read("0123456789abcdef0123456789abcdef01234567"))
          .isInstanceOf(GitSourceException.class);
      assertThatThrownBy(() -> source.read("HEAD~5"))
          .isInstanceOf(GitSourceException.class);
    }
  }

  @Test
  void directoryOutsideAnyRepositoryIsAGitSourceException() throws IOException {
    Path plain = Files.createDirectories(tmp.resolve("plain"));

    assertThatThrownBy(() -> GitSource.open(plain)).isInstanceOf(GitSourceException.class);
  }

  @Test
  void symlinkBlobsAreFollowedOnlyInsideTheConfigRepo() throws Exception {
    write("secret.yaml", "password: hunter2\n");
    write("platform/environments/dev.yaml", "tier: dev\n");
    Files.createSymbolicLink(work.resolve("platform/environments/staging.yaml"), Path.of("dev.yaml"));
    Files.createSymbolicLink(work.resolve("platform/environments/up.yaml"), Path.of("../../secret.yaml"));
    Files.createSymbolicLink(work.resolve("platform/environments/abs.yaml"),
        tmp.resolve("elsewhere.yaml").toAbsolutePath());
    Files.createSymbolicLink(work.resolve("platform/environments/gone.yaml"), Path.of("nowhere.yaml"));
    commit("links");

    try (GitSource source = GitSource.open(work.resolve("platform"))) {
      ConfigTree tree = source.read("HEAD");

      assertThat(text(tree, "environments/staging.yaml")).isEqualTo("tier: dev\n");
      assertThat(tree.file("environments/up.yaml").orElseThrow().problemText())
          .hasValueSatisfying(p -> assertThat(p).contains("outside the config repo").contains("../../secret.yaml"));
      assertThat(tree.file("environments/abs.yaml").orElseThrow().problemText())
          .hasValueSatisfying(p -> assertThat(p).contains("outside the config repo"));
      assertThat(tree.file("environments/gone.yaml").orElseThrow().problemText())
          .hasValueSatisfying(p -> assertThat(p).contains("not a file in this commit"));
    }
    // the same link is fine when the whole repository is the config repo
    try (GitSource source = GitSource.open(work)) {
      assertThat(text(source.read("HEAD"), "platform/environments/up.yaml")).isEqualTo("password: hunter2\n");
    }
  }

  @Test
  void largeBlobsAreUnreadable() throws Exception {
    Files.createDirectories(work.resolve("services/checkout/manifests"));
    Files.write(work.resolve("services/checkout/manifests/big.yaml"), new byte[2 * 1024 * 1024]);
    write("environments/dev.yaml", "tier: dev\n");
    commit("big");

    try (GitSource source = GitSource.open(work)) {
      ConfigTree tree = source.read("HEAD");

      assertThat(tree.file("services/checkout/manifests/big.yaml").orElseThrow().problemText())
          .hasValueSatisfying(p -> assertThat(p).contains("larger than"));
      assertThat(text(tree, "environments/dev.yaml")).isEqualTo("tier: dev\n");
    }
  }

  @Test
  void normalizeRefusesClimbingAboveTheRoot() {
    assertThat(GitSource.normalize("a/./b/../c")).isEqualTo("a/c");
    assertThat(GitSource.normalize("a/../../b")).isNull();
    assertThat(GitSource.normalize("a//b/")).isEqualTo("a/b");
  }
}
