package dev.paved.reconcile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each commit was applied to each target, and with what outcome: the daemon's half of a
 * service's history (git has the other half). Bounded: the newest {@code perTarget} records of
 * each target are kept. Kept across restarts as JSON lines in the state dir
 * ({@code apply-history.jsonl}), appended on every record and compacted when it has grown to
 * twice what is kept; a lost or damaged file only loses this history, never anything applied.
 */
public final class ApplyHistory {

  private static final Logger LOG = LoggerFactory.getLogger(ApplyHistory.class);
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  public static final int DEFAULT_PER_TARGET = 200;

  /** One reconcile of a commit on a target: its outcome (a sync state) and when it ended. */
  public record Applied(String repo, String environment, String commit, String outcome, Instant at) {}

  private final Path file;
  private final int perTarget;
  private final Map<String, Deque<Applied>> byTarget = new TreeMap<>();
  private long lines;

  private ApplyHistory(Path file, int perTarget) {
    this.file = file;
    this.perTarget = perTarget;
  }

  /** The history kept in {@code stateDir} (read now), or an empty one when there is none. */
  public static ApplyHistory open(Path stateDir, int perTarget) {
    ApplyHistory h = new ApplyHistory(stateDir.resolve("apply-history.jsonl"), perTarget);
    if (Files.isRegularFile(h.file)) {
      try {
        for (String line : Files.readAllLines(h.file, StandardCharsets.UTF_8)) {
          if (line.isBlank()) {
            continue;
          }
          try {
            h.add(JSON.readValue(line, Applied.class));
            h.lines++;
          } catch (IOException e) {
            LOG.warn("apply history: skipping a damaged line of {}", h.file);
          }
        }
      } catch (IOException e) {
        LOG.warn("apply history: cannot read {}; starting empty ({})", h.file, e.getClass().getSimpleName());
      }
    }
    return h;
  }

  /** Records {@code applied}; a write that fails is logged, never thrown (history is not state). */
  public synchronized void record(Applied applied) {
    Deque<Applied> q = add(applied);
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND)) {
        w.write(JSON.writeValueAsString(applied));
        w.write('\n');
      }
      lines++;
      if (lines > 2L * perTarget * Math.max(1, byTarget.size())) {
        compact();
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("apply history: cannot write {} ({})", file, e.getClass().getSimpleName());
    }
    assert q.size() <= perTarget;
  }

  /** The records of {@code repo}'s environment {@code environment}, newest first. */
  public synchronized List<Applied> of(String repo, String environment) {
    List<Applied> out = new ArrayList<>(byTarget.getOrDefault(key(repo, environment), new ArrayDeque<>()));
    java.util.Collections.reverse(out);
    return out;
  }

  /** Every record of {@code repo}, newest first. */
  public synchronized List<Applied> of(String repo) {
    List<Applied> out = new ArrayList<>();
    byTarget.forEach((k, q) -> q.stream().filter(a -> a.repo().equals(repo)).forEach(out::add));
    out.sort(java.util.Comparator.comparing(Applied::at).reversed());
    return out;
  }

  private Deque<Applied> add(Applied a) {
    Deque<Applied> q = byTarget.computeIfAbsent(key(a.repo(), a.environment()), k -> new ArrayDeque<>());
    q.addLast(a);
    while (q.size() > perTarget) {
      q.removeFirst();
    }
    return q;
  }

  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    List<Applied> all = new ArrayList<>();
    byTarget.values().forEach(all::addAll);
    all.sort(java.util.Comparator.comparing(Applied::at));
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (Applied a : all) {
        w.write(JSON.writeValueAsString(a));
        w.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    lines = all.size();
  }

  private static String key(String repo, String environment) {
    return repo + "\u0000" + environment;
  }
}
