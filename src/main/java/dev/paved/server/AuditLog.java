package dev.paved.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.paved.secret.Scrubber;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who asked the API to write what, and what came of it: one JSON object per line in
 * {@code <stateDir>/audit/audit.jsonl}, appended (and forced to disk) on a thread of its own,
 * never on the event loop. Bounded: when the file holds {@code maxPerFile} entries it becomes
 * {@code audit.1.jsonl} (replacing the one before), so between {@code maxPerFile} and twice as
 * many of the newest entries are kept. Those on disk are also held in memory, read back at
 * start, and served newest first by {@code GET /api/v1/audit}. Without a directory (tests,
 * tools) the log is kept in memory only.
 */
public final class AuditLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private static final com.fasterxml.jackson.databind.ObjectReader READER = Replies.JSON.readerFor(Entry.class)
      .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Entries per file before it is rotated. */
  public static final int DEFAULT_MAX_PER_FILE = 10_000;

  /**
   * One write call. {@code outcome}: {@code ok} (2xx), {@code refused} (4xx: permission, body,
   * unknown repo or commit, conflict), {@code failed} (5xx). {@code actor} is the person a trusted
   * proxy acted for (else null), {@code commit} the commit the call was about (null for a refresh).
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Entry(long seq, Instant time, String tokenName, String actor, String action, String repo, String commit,
      String outcome, int status, String detail, String requestId) {}

  /** A page of entries, newest first; {@code next} is the {@code before} of the next page (null: no more). */
  public record Page(List<Entry> entries, Long next) {}

  private final Optional<Path> dir;
  private final int maxPerFile;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private final ExecutorService writer;
  private long nextSeq = 1;
  private int inCurrentFile;
  private FileChannel current;

  private AuditLog(Optional<Path> dir, int maxPerFile) {
    this.dir = dir;
    this.maxPerFile = maxPerFile;
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "paved-audit");
      t.setDaemon(true);
      return t;
    });
  }

  /** An audit log kept in {@code dir} (created if missing), or in memory only. */
  public static AuditLog open(Optional<Path> dir, int maxPerFile) throws IOException {
    if (maxPerFile < 1) {
      throw new IllegalArgumentException("maxPerFile must be 1 or more");
    }
    AuditLog log = new AuditLog(dir, maxPerFile);
    if (dir.isPresent()) {
      Files.createDirectories(dir.get());
      log.read(dir.get().resolve("audit.1.jsonl"));
      log.inCurrentFile = log.read(dir.get().resolve("audit.jsonl"));
      log.entries.stream().reduce((a, b) -> b).ifPresent(e -> log.nextSeq = e.seq() + 1);
    }
    return log;
  }

  private int read(Path file) throws IOException {
    int n = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        try {
          entries.addLast(READER.readValue(line));
          n++;
        } catch (JsonProcessingException e) {
          LOG.warn("skipping an unreadable line of the audit log {}: {}", file, e.getOriginalMessage());
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    }
    return n;
  }

  /**
   * Appends an entry (its {@code seq} and {@code time} are set here) and returns it; the line
   * reaches the file on the log's own thread, in order.
   */
  public Entry append(String token, String actor, String action, String repo, String commit, int status,
      String detail, String requestId) {
    String outcome = status < 400 ? "ok" : status < 500 ? "refused" : "failed";
    Entry e;
    synchronized (entries) {
      e = new Entry(nextSeq++, Instant.now(), token, actor, action, repo, commit, outcome, status,
          detail == null ? null : Scrubber.scrub(detail), requestId);
      entries.addLast(e);
    }
    LOG.info("audit: {} {} repo={} commit={} by {}{}: {} {}", e.action(), e.outcome(), repo, commit, token,
        actor == null ? "" : " on behalf of " + actor, status, detail == null ? "" : detail);
    if (dir.isPresent()) {
      try {
        writer.execute(() -> write(e));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        LOG.warn("audit log closed; entry {} kept in memory only", e.seq());
      }
    } else {
      trimMemory();
    }
    return e;
  }

  private void trimMemory() {
    synchronized (entries) {
      while (entries.size() > 2L * maxPerFile) {
        entries.removeFirst();
      }
    }
  }

  private void write(Entry e) {
    Path d = dir.orElseThrow();
    try {
      if (inCurrentFile >= maxPerFile) {
        if (current != null) {
          current.close();
          current = null;
        }
        Files.move(d.resolve("audit.jsonl"), d.resolve("audit.1.jsonl"), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        inCurrentFile = 0;
        synchronized (entries) {
          // What is on disk now: the rotated file and the entries after it.
          long newerThanRotated = entries.stream().filter(x -> x.seq() >= e.seq()).count();
          while (entries.size() > maxPerFile + newerThanRotated) {
            entries.removeFirst();
          }
        }
      }
      if (current == null) {
        current = FileChannel.open(d.resolve("audit.jsonl"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
      }
      byte[] line = (Replies.JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.wrap(line);
      while (b.hasRemaining()) {
        current.write(b);
      }
      current.force(false);
      inCurrentFile++;
    } catch (IOException ex) {
      LOG.error("cannot write audit entry {} to {}: {}", e.seq(), d, ex.getMessage());
    }
  }

  /** Up to {@code limit} entries older than {@code before} (all when empty), newest first. */
  public Page page(Optional<Long> before, int limit) {
    List<Entry> out = new ArrayList<>();
    synchronized (entries) {
      Iterator<Entry> it = entries.descendingIterator();
      while (it.hasNext() && out.size() <= limit) {
        Entry e = it.next();
        if (before.isEmpty() || e.seq() < before.get()) {
          out.add(e);
        }
      }
    }
    Long next = null;
    if (out.size() > limit) {
      out.remove(out.size() - 1);
      next = out.get(out.size() - 1).seq();
    }
    return new Page(out, next);
  }

  /** Waits (bounded) for the lines under way to reach the file, then closes it. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the audit log did not finish writing within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        LOG.debug("closing the audit log: {}", e.toString());
      }
    }
  }
}
