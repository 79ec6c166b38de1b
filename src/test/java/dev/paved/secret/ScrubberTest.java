package dev.paved.secret;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ScrubberTest {

  @Test
  void aRegisteredValueIsMaskedWherever_itAppears() {
    String token = Scrubber.register("ghp_registeredValue1234");
    assertThat(Scrubber.scrub("fetch failed: " + token + " refused (" + token + ")"))
        .isEqualTo("fetch failed: *** refused (***)");
    assertThat(Scrubber.register(" spaced-secret-99 \n")).isEqualTo(" spaced-secret-99 \n");
    assertThat(Scrubber.scrub("x spaced-secret-99 y")).isEqualTo("x *** y");
  }

  @Test
  void aValueTooShortToBeASecretIsNotRegistered() {
    Scrubber.register("abc");
    assertThat(Scrubber.scrub("abc is fine")).isEqualTo("abc is fine");
  }

  @Test
  void urlUserInfoIsRemovedButAnSshUserStays() {
    assertThat(Scrubber.scrub("cannot fetch https://ghp_abc123@github.com/acme/config.git: 401"))
        .isEqualTo("cannot fetch https://***@github.com/acme/config.git: 401");
    assertThat(Scrubber.scrub("\"https://bob:hunter22@git.example.com/x\" is not a git URL"))
        .isEqualTo("\"https://***@git.example.com/x\" is not a git URL");
    assertThat(Scrubber.scrub("ssh://git@github.com/acme/config and git@github.com:acme/x"))
        .isEqualTo("ssh://git@github.com/acme/config and git@github.com:acme/x");
    assertThat(Scrubber.scrub("ssh://git:pa55word@host/x")).isEqualTo("ssh://git:***@host/x");
    assertThat(Scrubber.scrub("http://127.0.0.1:8080/api/v1/status")).isEqualTo("http://127.0.0.1:8080/api/v1/status");
    assertThat(Scrubber.scrub("{\"m\":\"https:\\/\\/tok123@h\\/x and ssh:\\/\\/git@h\\/y\"}"))
        .isEqualTo("{\"m\":\"https:\\/\\/***@h\\/x and ssh:\\/\\/git@h\\/y\"}");
  }

  @Test
  void authorizationHeadersAndCredentialsAreRemovedButProseStays() {
    assertThat(Scrubber.scrub("headers: {Authorization: Bearer eyJhbGciOi.x-y_z}"))
        .isEqualTo("headers: {Authorization: Bearer ***}");
    assertThat(Scrubber.scrub("\"authorization\":\"Basic dXNlcjpwYXNz\"")).isEqualTo("\"authorization\":\"Basic ***\"");
    assertThat(Scrubber.scrub("sent Bearer abc.def-123456")).isEqualTo("sent Bearer ***");
    for (String prose : new String[] {"missing Authorization: Bearer <token> header",
        "an Authorization: Bearer or X-Paved-Token header equal to the repo's webhook secret",
        "wrong bearer token", "basic authentication failed", "the git token file /a/b is empty",
        "tokenFile: /etc/paved/token"}) {
      assertThat(Scrubber.scrub(prose)).as(prose).isEqualTo(prose);
    }
  }

  @Test
  void keyMaterialAndSecretFieldsAreRemoved() {
    String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    assertThat(Scrubber.scrub("bad key " + pem + " here")).isEqualTo("bad key [OPENSSH PRIVATE KEY removed] here");
    assertThat(Scrubber.scrub("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBGV... (truncated")).doesNotContain("lQdGBGV");
    assertThat(Scrubber.scrub("users:\n- user:\n    token: kube-t0ken-value\n    client-key-data: LS0tLS1CRUdJTg=="))
        .doesNotContain("kube-t0ken-value").doesNotContain("LS0tLS1CRUdJTg==").contains("token: ***");
    assertThat(Scrubber.scrub("{\"password\":\"pa55word!\"}")).isEqualTo("{\"password\":\"***\"}");
  }

  @Test
  void theShippedLogConfigScrubsPlainAndJsonLinesStackTracesIncluded() throws Exception {
    Scrubber.register("log-secret-42");
    for (String format : new String[] {null, "json"}) {
      LoggerContext context = new LoggerContext();
      context.setMDCAdapter(MDC.getMDCAdapter());
      context.start();
      if (format != null) {
        context.putProperty("PAVED_LOG_FORMAT", format);
      }
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      PrintStream stderr = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        configurator.doConfigure(ScrubberTest.class.getResource("/logback.xml"));
        assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(st -> st.getLevel() >= Status.WARN);
        context.getLogger("dev.paved.x").warn("fetch of {} failed", "https://log-secret-42@host/x",
            new IllegalStateException("refused log-secret-42"));
      } finally {
        System.setErr(stderr);
        context.stop();
      }
      String out = captured.toString(StandardCharsets.UTF_8);
      assertThat(out).as(format).containsPattern("fetch of https:(\\\\?/){2}\\*\\*\\*@host").contains("refused ***")
          .doesNotContain("log-secret-42");
    }
  }

  @Test
  void theWriterScrubsWholeLinesEvenWhenWrittenInPieces() {
    Scrubber.register("writer-secret-77");
    StringWriter target = new StringWriter();
    PrintWriter w = new PrintWriter(new ScrubbingWriter(target), true);
    w.print("paved: cannot fetch: writer-se");
    w.print("cret-77 refused");
    assertThat(target.toString()).isEmpty();
    w.println();
    w.print("tail writer-secret-77");
    w.flush();
    assertThat(target.toString()).isEqualTo("paved: cannot fetch: *** refused" + System.lineSeparator() + "tail ***");
  }
}
