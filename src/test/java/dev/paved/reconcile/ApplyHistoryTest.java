package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.reconcile.ApplyHistory.Applied;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyHistoryTest {

  @TempDir
  Path state;

  private static Applied applied(String env, int i, String outcome) {
    return new Applied("platform", env, "c" + i, outcome, Instant.parse("2026-12-02T10:00:00Z").plusSeconds(i));
  }

  @Test
  void keptAcrossRestartsNewestFirstAndBoundedPerTarget() throws Exception {
    ApplyHistory h = ApplyHistory.open(state, 3);
    for (int i = 0; i < 10; i++) {
      h.record(applied("dev", i, i == 9 ? "PARTIAL" : "SYNCED"));
    }
    h.record(applied("prod", 20, "FAILED"));
    assertThat(h.of("platform", "dev")).extracting(Applied::commit).containsExactly("c9", "c8", "c7");

    ApplyHistory reopened = ApplyHistory.open(state, 3);
    assertThat(reopened.of("platform", "dev")).extracting(Applied::commit, Applied::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("c9", "PARTIAL"),
            org.assertj.core.groups.Tuple.tuple("c8", "SYNCED"), org.assertj.core.groups.Tuple.tuple("c7", "SYNCED"));
    assertThat(reopened.of("platform")).extracting(Applied::commit).startsWith("c20", "c9");
    // compacted: the file does not grow without bound
    assertThat(Files.readAllLines(state.resolve("apply-history.jsonl")).size()).isLessThanOrEqualTo(2 * 3 * 2 + 1);
  }

  @Test
  void aDamagedFileLosesOnlyTheDamagedLines() throws Exception {
    Files.writeString(state.resolve("apply-history.jsonl"),
        "{\"repo\":\"platform\",\"environment\":\"dev\",\"commit\":\"c1\",\"outcome\":\"SYNCED\",\"at\":\"2026-12-02T10:00:00Z\"}\n"
            + "{not json\n");
    assertThat(ApplyHistory.open(state, 5).of("platform", "dev")).extracting(Applied::commit).containsExactly("c1");
  }
}
