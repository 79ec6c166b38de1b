package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** The shipped {@code logback.xml}: plain lines by default, JSON lines with {@code PAVED_LOG_FORMAT=json}. */
class LogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Configures a fresh Logback context from logback.xml, logs two events, returns what reached stderr. */
  private static List<String> log(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    context.start();
    if (format != null) {
      context.putProperty("PAVED_LOG_FORMAT", format);
    }
    context.putProperty("PAVED_LOG_LEVEL", "INFO");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() >= Status.WARN);
      Logger log = context.getLogger("dev.paved.reconcile.Daemon");
      MDC.put("repo", "platform");
      MDC.put("commit", "0123abcd");
      MDC.put("target", "prod");
      MDC.put("requestId", "req-1");
      try {
        log.info("synced {} objects", 3);
      } finally {
        MDC.clear();
      }
      log.warn("no context \"quoted\"");
    } finally {
      System.setErr(stderr);
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonLinesCarryTheMdcFields() throws Exception {
    List<String> lines = log("json");

    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.path("level").asText()).isEqualTo("INFO");
    assertThat(first.path("loggerName").asText()).isEqualTo("dev.paved.reconcile.Daemon");
    assertThat(first.path("formattedMessage").asText()).isEqualTo("synced 3 objects");
    assertThat(first.path("timestamp").asLong()).isPositive();
    JsonNode mdc = first.path("mdc");
    assertThat(mdc.path("repo").asText()).isEqualTo("platform");
    assertThat(mdc.path("commit").asText()).isEqualTo("0123abcd");
    assertThat(mdc.path("target").asText()).isEqualTo("prod");
    assertThat(mdc.path("requestId").asText()).isEqualTo("req-1");
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.path("formattedMessage").asText()).isEqualTo("no context \"quoted\"");
    assertThat(second.path("mdc").isEmpty()).isTrue();
  }

  @Test
  void plainLinesPrintOnlyTheMdcFieldsThatAreSet() throws Exception {
    List<String> lines = log(null);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("INFO  d.paved.reconcile.Daemon repo=platform commit=0123abcd target=prod"
        + " request=req-1 - synced 3 objects");
    assertThat(lines.get(1)).endsWith("WARN  d.paved.reconcile.Daemon - no context \"quoted\"")
        .doesNotContain("repo=").doesNotContain("[");
  }
}
