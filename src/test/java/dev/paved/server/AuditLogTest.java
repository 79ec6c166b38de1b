package dev.paved.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's files: appended in order, rotated at its bound, read back after a restart. */
class AuditLogTest {

  @TempDir
  Path dir;

  @Test
  void rotatesAtItsBoundAndKeepsWhatIsOnDiskAcrossARestart() throws Exception {
    try (AuditLog log = AuditLog.open(Optional.of(dir), 3)) {
      for (int i = 1; i <= 7; i++) {
        log.append("ci", null, "refresh", "platform", null, 202, null, "req-" + i);
      }
    }
    // 7 entries, 3 per file: audit.1.jsonl holds 4-6, audit.jsonl holds 7; 1-3 are gone.
    assertThat(Files.readAllLines(dir.resolve("audit.1.jsonl"))).hasSize(3);
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(1).first().asString()
        .contains("\"seq\":7").contains("\"requestId\":\"req-7\"").contains("\"outcome\":\"ok\"");
    try (AuditLog again = AuditLog.open(Optional.of(dir), 3)) {
      AuditLog.Page page = again.page(Optional.empty(), 10);
      assertThat(page.entries()).extracting(AuditLog.Entry::seq).containsExactly(7L, 6L, 5L, 4L);
      assertThat(page.next()).isNull();
      AuditLog.Entry next = again.append("oncall", "alice", "revert", "platform", "abc1234", 409, "conflict", "r");
      assertThat(next.seq()).isEqualTo(8);
      assertThat(next.outcome()).isEqualTo("refused");
      assertThat(again.page(Optional.of(8L), 2).entries()).extracting(AuditLog.Entry::seq).containsExactly(7L, 6L);
      assertThat(again.page(Optional.of(8L), 2).next()).isEqualTo(6L);
    }
  }

  @Test
  void withoutADirectoryItIsKeptInMemoryBounded() throws Exception {
    try (AuditLog log = AuditLog.open(Optional.empty(), 2)) {
      for (int i = 1; i <= 5; i++) {
        log.append("ci", null, "refresh", "platform", null, i == 5 ? 500 : 202, null, "req-" + i);
      }
      assertThat(log.page(Optional.empty(), 10).entries()).extracting(AuditLog.Entry::seq).containsExactly(5L, 4L, 3L, 2L);
      assertThat(log.page(Optional.empty(), 1).entries().get(0).outcome()).isEqualTo("failed");
    }
  }
}
