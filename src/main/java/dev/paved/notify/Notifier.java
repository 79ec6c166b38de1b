package dev.paved.notify;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RateLimiter;
import dev.failsafe.RetryPolicy;
import dev.paved.notify.NotificationConfig.Sink;
import dev.paved.reconcile.DaemonEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers daemon events to the configured sinks, asynchronously. {@link #on} only filters,
 * deduplicates, rate-limits and queues: it never blocks or fails the caller, so a slow or dead
 * sink never slows a reconcile. Each sink has a bounded queue and one delivery thread, which
 * retries a failed delivery with capped exponential backoff; when the queue is full the event is
 * dropped and counted. What happened to each sink is in {@link #status()} and in the metric
 * {@code paved_notifications_total{sink, outcome}}. Error texts name the sink, never its URL
 * (a Slack URL is a credential).
 */
public final class Notifier implements DaemonEvent.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  static final int QUEUE = 1000;

  /** How retries are spaced; tests make them short. */
  public record Retry(Duration initialDelay, Duration maxDelay, int maxRetries) {
    public static Retry defaults() {
      return new Retry(Duration.ofSeconds(1), Duration.ofMinutes(1), 5);
    }
  }

  /** One sink's counts and its last error. */
  public record SinkStatus(String name, String type, long delivered, long failed, long dropped, long deduplicated,
      long rateLimited, int queued, String lastError, Instant lastErrorAt) {}

  private final NotificationConfig config;
  private final Map<String, Channel> channels = new TreeMap<>();
  private final Cache<String, Boolean> seen;
  private final Clock clock;

  public Notifier(NotificationConfig config, MeterRegistry registry, Retry retry, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.seen = Caffeine.newBuilder().expireAfterWrite(config.dedupeWindow()).maximumSize(10_000).build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    for (Sink s : config.sinks()) {
      Channel c = new Channel(s, http, registry, retry);
      channels.put(s.name(), c);
      c.thread.start();
    }
  }

  @Override
  public void on(DaemonEvent event) {
    try {
      for (NotificationConfig.Alert alert : config.alerts()) {
        if (!alert.matches(event)) {
          continue;
        }
        for (String name : alert.sinks()) {
          Channel c = channels.get(name);
          if (c != null) {
            c.offer(event);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("notification not queued: {}", e.toString());
    }
  }

  public List<SinkStatus> status() {
    return channels.values().stream().map(Channel::status).toList();
  }

  @Override
  public List<dev.paved.reconcile.DaemonStatus.Sink> sinks() {
    return status().stream().map(s -> new dev.paved.reconcile.DaemonStatus.Sink(s.name(), s.type(), s.delivered(),
        s.failed(), s.dropped(), s.deduplicated(), s.rateLimited(), s.queued(), Optional.ofNullable(s.lastError()),
        Optional.ofNullable(s.lastErrorAt()))).toList();
  }

  @Override
  public void close() {
    channels.values().forEach(c -> c.thread.interrupt());
    for (Channel c : channels.values()) {
      try {
        c.thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A sink's queue, delivery thread, limits and counts. */
  private final class Channel {
    final Sink sink;
    final HttpClient http;
    final BlockingQueue<DaemonEvent> queue = new ArrayBlockingQueue<>(QUEUE);
    final RateLimiter<Object> limiter;
    final RetryPolicy<Integer> retry;
    final Thread thread;
    final Map<String, Counter> counters = new TreeMap<>();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong deduplicated = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    volatile String lastError;
    volatile Instant lastErrorAt;

    Channel(Sink sink, HttpClient http, MeterRegistry registry, Retry r) {
      this.sink = sink;
      this.http = http;
      this.limiter = RateLimiter.burstyBuilder(sink.ratePerMinute(), Duration.ofMinutes(1)).build();
      this.retry = RetryPolicy.<Integer>builder().handle(IOException.class)
          .handleResultIf(code -> code == 429 || code >= 500)
          .withBackoff(r.initialDelay(), r.maxDelay()).withMaxRetries(r.maxRetries()).build();
      for (String outcome : List.of("delivered", "failed", "dropped", "deduplicated", "rateLimited")) {
        counters.put(outcome, Counter.builder("paved_notifications").tag("sink", sink.name())
            .tag("outcome", outcome).description("Notifications by sink and outcome").register(registry));
      }
      this.thread = new Thread(this::run, "paved-notify-" + sink.name());
      thread.setDaemon(true);
    }

    void offer(DaemonEvent e) {
      String key = e.type() + "|" + e.repo() + "|" + e.environment() + "|" + e.service() + "|" + e.commit() + "|"
          + e.message();
      if (seen.asMap().putIfAbsent(sink.name() + "|" + key, Boolean.TRUE) != null) {
        count(deduplicated, "deduplicated");
        return;
      }
      if (!limiter.tryAcquirePermit()) {
        count(rateLimited, "rateLimited");
        return;
      }
      if (!queue.offer(e)) {
        count(dropped, "dropped");
        error("queue full (" + QUEUE + " events): event dropped");
      }
    }

    void run() {
      while (!Thread.currentThread().isInterrupted()) {
        DaemonEvent e;
        try {
          e = queue.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          return;
        }
        if (e != null) {
          deliver(e);
        }
      }
    }

    void deliver(DaemonEvent e) {
      try {
        HttpRequest request = request(e);
        int code = Failsafe.with(retry).get(() -> http.send(request, HttpResponse.BodyHandlers.discarding())
            .statusCode());
        if (code >= 200 && code < 300) {
          count(delivered, "delivered");
        } else {
          count(failed, "failed");
          error("HTTP " + code + " after retries");
        }
      } catch (FailsafeException ex) {
        if (ex.getCause() instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        count(failed, "failed");
        error(describe(ex.getCause() != null ? ex.getCause() : ex) + " after retries");
      } catch (IOException | RuntimeException ex) {
        count(failed, "failed");
        error(describe(ex));
      }
    }

    HttpRequest request(DaemonEvent e) throws IOException {
      URI url = sink.url().isPresent() ? sink.url().get()
          : URI.create(Files.readString(sink.urlFile().orElseThrow()).strip());
      String id = UUID.randomUUID().toString();
      byte[] body = switch (sink.type()) {
        case WEBHOOK -> Payloads.webhook(e, config.dashboardUrl());
        case SLACK -> Payloads.slack(e, config.dashboardUrl());
        case CLOUDEVENTS -> Payloads.cloudEvent(e, config.dashboardUrl(), id);
      };
      HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
          .header("Content-Type", sink.type() == NotificationConfig.SinkType.CLOUDEVENTS
              ? "application/cloudevents+json" : "application/json")
          .header("User-Agent", "paved-notifications")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (sink.type() == NotificationConfig.SinkType.WEBHOOK) {
        b.header("X-Paved-Event", e.type().id()).header("X-Paved-Delivery", id);
        if (sink.secretFile().isPresent()) {
          byte[] secret = Files.readString(sink.secretFile().get()).strip()
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          b.header("X-Paved-Signature-256", Payloads.signature(secret, body));
        }
      }
      return b.build();
    }

    /** A failure in words that can never hold the sink's URL or secret. */
    String describe(Throwable t) {
      if (t instanceof java.nio.file.NoSuchFileException || t instanceof java.nio.file.AccessDeniedException) {
        return "cannot read the sink's url or secret file";
      }
      if (t instanceof java.net.http.HttpTimeoutException) {
        return "timed out";
      }
      if (t instanceof java.net.ConnectException) {
        return "connection refused or unreachable";
      }
      if (t instanceof IllegalArgumentException) {
        return "the sink's url is not a valid URL";
      }
      return t.getClass().getSimpleName();
    }

    void count(AtomicLong n, String outcome) {
      n.incrementAndGet();
      counters.get(outcome).increment();
    }

    void error(String message) {
      lastError = message;
      lastErrorAt = clock.instant();
      LOG.warn("notification sink {}: {}", sink.name(), message);
    }

    SinkStatus status() {
      return new SinkStatus(sink.name(), sink.type().name().toLowerCase(java.util.Locale.ROOT), delivered.get(),
          failed.get(), dropped.get(), deduplicated.get(), rateLimited.get(), queue.size(), lastError, lastErrorAt);
    }
  }

  /** Events of a notifier with no sinks go nowhere. */
  public static Optional<Notifier> of(NotificationConfig config, MeterRegistry registry) {
    return config.sinks().isEmpty() ? Optional.empty()
        : Optional.of(new Notifier(config, registry, Retry.defaults(), Clock.systemUTC()));
  }

  List<String> sinkNames() {
    return new ArrayList<>(channels.keySet());
  }
}
