package dev.paved.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Captures what Vert.x's blocked-thread checker logs (through SLF4J, logger
 * {@code io.vertx.core.impl.BlockedThreadChecker}), so that a test can fail on it.
 */
public final class BlockedThreadWarnings implements AutoCloseable {

  public static final String LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public BlockedThreadWarnings() {
    appender.start();
    logger.addAppender(appender);
  }

  /** Vert.x options for tests: check every 100 ms, warn when an event-loop task runs over 250 ms. */
  public static VertxOptions strictOptions() {
    return new VertxOptions()
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(250)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setMaxWorkerExecuteTime(10)
        .setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS);
  }

  /** The warnings so far, as {@code thread: message}. */
  public List<String> warnings() {
    synchronized (appender) {
      return appender.list.stream().map(e -> e.getThreadName() + ": " + e.getFormattedMessage()).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
