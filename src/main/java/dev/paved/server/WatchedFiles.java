package dev.paved.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files the API reads at start and takes again when they change on disk: the TLS pair
 * ({@code http.tls}) and the tokens file ({@code http.tokensFile}). Every {@code interval} a
 * Vert.x timer reads them on a worker and compares a digest of their bytes with the last read;
 * only a change is parsed ({@link Parser}) and used ({@link Apply}). A change that cannot be read,
 * parsed or used keeps what is in use, is logged once (an error, with the parser's
 * {@code file:line:col}) and shows as failing in the status ({@code api.files}) and the metrics
 * ({@code paved_api_file_reloads_total}, {@code paved_api_file_reload_failing}) until a later
 * change is taken; each change is tried once.
 */
final class WatchedFiles<T> {

  private static final Logger LOG = LoggerFactory.getLogger(WatchedFiles.class);

  /** The files' bytes, in the order given, made into what the server uses; the message says what is wrong. */
  interface Parser<T> {
    T parse(List<byte[]> contents) throws Exception;
  }

  /** Puts a parsed value in use; a failed future keeps the current one. */
  interface Apply<T> {
    Future<Void> apply(T value);
  }

  /**
   * For the status: which files, whether their last change was taken ({@code ok}), and if not why
   * ({@code error}) and since when; when the content in use was read ({@code loadedAt}).
   */
  record State(String name, List<String> files, boolean ok, String error, Instant failingSince, Instant loadedAt) {}

  private final Vertx vertx;
  private final String name;
  private final String what;
  private final List<Path> files;
  private final Duration interval;
  private final Parser<T> parser;
  private final Apply<T> apply;
  private final Counter reloaded;
  private final Counter failed;
  private volatile byte[] digest;
  private volatile State state;
  private long timer = -1;
  private final java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param name the files' name in the status and the metrics ({@code tls}, {@code tokens})
   * @param what what they are, for the log ({@code the API tokens file (http.tokensFile)})
   */
  WatchedFiles(Vertx vertx, String name, String what, List<Path> files, Duration interval, Parser<T> parser,
      Apply<T> apply, MeterRegistry registry) {
    this.vertx = vertx;
    this.name = name;
    this.what = what;
    this.files = List.copyOf(files);
    this.interval = interval;
    this.parser = parser;
    this.apply = apply;
    this.state = new State(name, files.stream().map(Path::toString).toList(), true, null, null, null);
    this.reloaded = Counter.builder("paved.api.file.reloads").description("Changes of the API's files (TLS pair,"
        + " tokens file) taken (ok) or refused (failed: the current ones are kept)").tag("file", name)
        .tag("result", "ok").register(registry);
    this.failed = Counter.builder("paved.api.file.reloads").description("Changes of the API's files (TLS pair,"
        + " tokens file) taken (ok) or refused (failed: the current ones are kept)").tag("file", name)
        .tag("result", "failed").register(registry);
    Gauge.builder("paved.api.file.reload.failing", this, w -> w.state.ok() ? 0 : 1)
        .description("1 while the API's file has a change that could not be taken (the previous content is in use)")
        .tag("file", name).register(registry);
  }

  /** Reads and parses the files now (the caller's thread: at start); the digest is kept for the checks. */
  T load() throws Exception {
    List<byte[]> contents = read();
    T value = parser.parse(contents);
    digest = digest(contents);
    state = new State(name, state.files(), true, null, null, Instant.now());
    return value;
  }

  /** Starts checking every interval (after {@link #load}). */
  void watch() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> check());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  State state() {
    return state;
  }

  private void check() {
    if (!checking.compareAndSet(false, true)) {
      return; // the previous check is still reading (a slow disk): one at a time
    }
    try {
      checkNow();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      checking.set(false); // Vert.x is closing
    }
  }

  private void checkNow() {
    vertx.<Changed<T>>executeBlocking(() -> {
      List<byte[]> contents;
      try {
        contents = read();
      } catch (IOException e) {
        String error = e instanceof NoSuchFileException n ? n.getFile() + ":1:1: error: the file is missing; put it"
            + " back" : "cannot read " + (files.size() == 1 ? files.get(0) : files) + ": " + e.getMessage();
        byte[] d = digest(List.of(error.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return Arrays.equals(d, digest) ? null : new Changed<T>(d, null, error);
      }
      byte[] d = digest(contents);
      if (Arrays.equals(d, digest)) {
        return null;
      }
      try {
        return new Changed<>(d, parser.parse(contents), null);
      } catch (Exception e) {
        return new Changed<T>(d, null, message(e));
      }
    }, false).onComplete(ar -> {
      checking.set(false);
      if (ar.failed()) {
        LOG.error("checking {} for a change failed: {}", what, ar.cause().toString());
        return;
      }
      Changed<T> c = ar.result();
      if (c == null) {
        return;
      }
      digest = c.digest(); // each change is tried once: a bad one is not retried (and logged) every interval
      if (c.error() != null) {
        refuse(c.error());
        return;
      }
      Future<Void> used;
      try {
        used = apply.apply(c.value());
      } catch (RuntimeException e) {
        used = Future.failedFuture(e);
      }
      used.onComplete(done -> {
        if (done.succeeded()) {
          reloaded.increment();
          state = new State(name, state.files(), true, null, null, Instant.now());
          LOG.info("{} reloaded from {}", what, files.size() == 1 ? files.get(0) : files);
        } else {
          refuse(message(done.cause()));
        }
      });
    });
  }

  private record Changed<T>(byte[] digest, T value, String error) {}

  private static String message(Throwable e) {
    return e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
  }

  private void refuse(String message) {
    // Scrubbed here: a PEM parser's message may quote a delimiter the scrubber would mask to the end of the status.
    String error = dev.paved.secret.Scrubber.scrub(message);
    failed.increment();
    State s = state;
    state = new State(name, s.files(), false, error, s.ok() ? Instant.now() : s.failingSince(), s.loadedAt());
    LOG.error("{} changed but cannot be used; the previous one stays in use: {}", what, error);
  }

  private List<byte[]> read() throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (Path f : files) {
      out.add(Files.readAllBytes(f));
    }
    return out;
  }

  private static byte[] digest(List<byte[]> contents) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] c : contents) {
        md.update(Integer.toString(c.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        md.update((byte) 0);
        md.update(c);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
