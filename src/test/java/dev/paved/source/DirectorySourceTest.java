package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

  @TempDir
  Path tmp;
  Path repo;

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectories(tmp.resolve("repo"));
    write(repo.resolve("environments/dev.yaml"), "tier: dev\n");
    write(repo.resolve("services/checkout/service.yaml"), "team: payments\n");
  }

  private static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private static String text(SourceFile f) {
    return new String(f.content().orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void readsEveryRegularFileWithSlashSeparatedRelativePaths() throws IOException {
    ConfigTree tree = DirectorySource.read(repo);

    assertThat(tree.files()).containsOnlyKeys("environments/dev.yaml", "services/checkout/service.yaml");
    assertThat(text(tree.file("services/checkout/service.yaml").orElseThrow())).isEqualTo("team: payments\n");
    assertThat(tree.revision()).isEqualTo(repo.toRealPath().toString());
  }

  @Test
  void gitDirectoryIsSkipped() throws IOException {
    write(repo.resolve(".git/config"), "[core]\n");
    write(repo.resolve(".git/objects/ab/cdef"), "x");
    write(repo.resolve(".github/workflows/ci.yaml"), "on: push\n");
    write(repo.resolve(".gitignore"), "target/\n");

    ConfigTree tree = DirectorySource.read(repo);

    assertThat(tree.files().keySet()).noneMatch(p -> p.equals(".git") || p.startsWith(".git/"));
    assertThat(tree.files()).containsKeys(".github/workflows/ci.yaml", ".gitignore");
  }

  @Test
  void symlinkInsideTheRepoIsFollowed() throws IOException {
    write(repo.resolve("shared/common.yaml"), "shared: true\n");
    Files.createSymbolicLink(repo.resolve("environments/staging.yaml"), Path.of("dev.yaml"));
    Files.createSymbolicLink(repo.resolve("services/checkout/common.yaml"), Path.of("../../shared/common.yaml"));

    ConfigTree tree = DirectorySource.read(repo);

    SourceFile staging = tree.file("environments/staging.yaml").orElseThrow();
    assertThat(staging.problemText()).isEmpty();
    assertThat(text(staging)).isEqualTo("tier: dev\n");
    assertThat(text(tree.file("services/checkout/common.yaml").orElseThrow())).isEqualTo("shared: true\n");
  }

  @Test
  void symlinkPointingOutsideIsUnreadableWithAClearProblem() throws IOException {
    Path secret = tmp.resolve("secret.yaml");
    Files.writeString(secret, "password: hunter2\n");
    Files.createSymbolicLink(repo.resolve("environments/prod.yaml"), secret);
    Files.createSymbolicLink(repo.resolve("environments/qa.yaml"), Path.of("../../secret.yaml"));

    ConfigTree tree = DirectorySource.read(repo);

    for (String path : new String[] {"environments/prod.yaml", "environments/qa.yaml"}) {
      SourceFile f = tree.file(path).orElseThrow();
      assertThat(f.content()).as(path).isEmpty();
      assertThat(f.problemText()).as(path).hasValueSatisfying(p ->
          assertThat(p).contains("symlink points outside the config repo").contains("secret.yaml"));
    }
  }

  @Test
  void danglingSymlinkAndSymlinkToADirectoryAreUnreadable() throws IOException {
    Files.createSymbolicLink(repo.resolve("environments/gone.yaml"), Path.of("nowhere.yaml"));
    Files.createSymbolicLink(repo.resolve("services/alias"), Path.of("checkout"));

    ConfigTree tree = DirectorySource.read(repo);

    assertThat(tree.file("environments/gone.yaml").orElseThrow().problemText())
        .hasValueSatisfying(p -> assertThat(p).contains("does not exist"));
    assertThat(tree.file("services/alias").orElseThrow().problemText())
        .hasValueSatisfying(p -> assertThat(p).contains("directory"));
    assertThat(tree.files()).doesNotContainKey("services/alias/service.yaml");
  }

  @Test
  void fileLargerThanTheLimitIsUnreadable() throws IOException {
    Path big = repo.resolve("services/checkout/manifests/big.yaml");
    Files.createDirectories(big.getParent());
    Files.write(big, new byte[2 * 1024 * 1024]);
    Path limit = repo.resolve("services/checkout/manifests/limit.yaml");
    Files.write(limit, new byte[(int) ConfigTree.MAX_FILE_BYTES]);

    ConfigTree tree = DirectorySource.read(repo);

    SourceFile f = tree.file("services/checkout/manifests/big.yaml").orElseThrow();
    assertThat(f.content()).isEmpty();
    assertThat(f.problemText()).hasValueSatisfying(p ->
        assertThat(p).contains("2097152 bytes").contains("larger than"));
    assertThat(tree.file("services/checkout/manifests/limit.yaml").orElseThrow().content())
        .hasValueSatisfying(b -> assertThat(b).hasSize((int) ConfigTree.MAX_FILE_BYTES));
  }

  @Test
  void symlinkToALargeFileInsideIsUnreadableToo() throws IOException {
    Files.write(repo.resolve("big.bin"), new byte[2 * 1024 * 1024]);
    Files.createSymbolicLink(repo.resolve("environments/big.yaml"), Path.of("../big.bin"));

    ConfigTree tree = DirectorySource.read(repo);

    assertThat(tree.file("environments/big.yaml").orElseThrow().problemText())
        .hasValueSatisfying(p -> assertThat(p).contains("larger than"));
  }

  @Test
  void rootGivenThroughASymlinkIsReadFromItsRealPath() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), repo);

    ConfigTree tree = DirectorySource.read(link);

    assertThat(tree.files()).containsOnlyKeys("environments/dev.yaml", "services/checkout/service.yaml");
    assertThat(tree.file("environments/dev.yaml").orElseThrow().problemText()).isEmpty();
  }

  @Test
  void readingOnSeveralThreadsGivesTheSameTree() throws IOException {
    for (int i = 0; i < 50; i++) {
      write(repo.resolve("services/svc-" + i + "/service.yaml"), "team: t" + i + "\n");
      write(repo.resolve("services/svc-" + i + "/env/dev.yaml"), "replicas: " + i + "\n");
    }
    write(repo.resolve("empty.yaml"), "");
    Files.createSymbolicLink(repo.resolve("environments/staging.yaml"), Path.of("dev.yaml"));
    write(repo.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    write(repo.resolve("nested/.git/config"), "[core]\n");

    ConfigTree alone = DirectorySource.read(repo);
    ConfigTree spread;
    try (dev.paved.config.Workers workers = dev.paved.config.Workers.of(4, "read-test")) {
      spread = DirectorySource.read(repo, workers::map);
    }

    assertThat(spread.files().keySet()).containsExactlyElementsOf(alone.files().keySet())
        .contains("empty.yaml", "nested/.git/config").doesNotContain(".git/HEAD");
    for (String path : alone.files().keySet()) {
      assertThat(spread.file(path).orElseThrow().content()).as(path)
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(alone.file(path).orElseThrow().content().orElseThrow()));
    }
    assertThat(text(spread.file("services/svc-7/env/dev.yaml").orElseThrow())).isEqualTo("replicas: 7\n");
    assertThat(spread.file("empty.yaml").orElseThrow().content()).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }
}
