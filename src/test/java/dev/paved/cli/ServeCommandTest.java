package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.reconcile.DaemonApi;
import dev.paved.server.BlockedThreadWarnings;
import dev.paved.server.FakeDaemon;
import dev.paved.source.TestRemote;
import dev.paved.testing.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  @TempDir
  Path tmp;

  @Test
  void aMissingConfigFileIsAUsageError() {
    Path missing = tmp.resolve("nope.yaml");
    Cli r = Cli.run("serve", "--config", missing.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(missing + ":1:1: error: daemon config file not found")
        .contains("nothing started");
  }

  @Test
  void anInvalidConfigFileGivesFileLineColAndExit2BeforeAnythingStarts() throws Exception {
    Path file = Files.writeString(tmp.resolve("daemon.yaml"), """
        apiVersion: paved.dev/v1alpha1
        kind: DaemonConfig
        http:
          port: 8080
        repos:
          - name: platform
            url: https://git.example.com/platform.git
            pollInterval: soon
        """);
    Cli r = Cli.run("serve", "--config", file.toString(), "--port", "0");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).containsPattern(Pattern.quote(file.toString()) + ":8:19: error: .*")
        .contains("is invalid (1 problem(s)); nothing started");
    assertThat(r.out()).doesNotContain("API on");
  }

  @Test
  void configIsRequiredAndPortIsChecked() throws Exception {
    assertThat(Cli.run("serve").exit()).isEqualTo(ExitCodes.USAGE);
    Path file = Files.writeString(tmp.resolve("daemon.yaml"), "repos: []\n");
    Cli r = Cli.run("serve", "--config", file.toString(), "--port", "70000");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--port");
  }

  @Test
  void anInvalidConfigPrintsItsProblemsAndStartsNothing() throws Exception {
    Path file = Files.writeString(tmp.resolve("daemon.yaml"), "repos:\n  - nme: x\n");
    AtomicInteger built = new AtomicInteger();
    Run r = run(new ServeCommand(f -> {
      built.incrementAndGet();
      throw new ServeCommand.InvalidConfig(List.of(f + ":2:5: error: unknown field \"nme\"; did you mean \"name\"?"));
    }, new CompletableFuture<>()), "--config", file.toString());
    assertThat(r.exit).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err.toString()).contains(file + ":2:5: error: unknown field \"nme\"")
        .contains("is invalid (1 problem(s)); nothing started");
    assertThat(r.out.toString()).doesNotContain("API on");
  }

  @Test
  void servesUntilStoppedThenClosesTheDaemonAndExits0() throws Exception {
    Path file = Files.writeString(tmp.resolve("daemon.yaml"), "# the fake core reads nothing\n");
    Path tokenFile = Files.writeString(tmp.resolve("token"), "tok-1\n");
    FakeDaemon daemon = new FakeDaemon();
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    ServeCommand.Core core = new ServeCommand.Core() {
      @Override
      public DaemonApi daemon() {
        return daemon;
      }

      @Override
      public ServeCommand.Config config() {
        return new ServeCommand.Config("127.0.0.1", 1, Optional.of(tokenFile), Duration.ofSeconds(10));
      }

      @Override
      public void start() {
        started.incrementAndGet();
        daemon.refresh("platform");
      }

      @Override
      public void close() {
        daemon.close();
      }
    };
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(new ServeCommand(f -> core, stop),
        out, err).execute("--config", file.toString(), "--port", "0"));

    Await.await(Duration.ofSeconds(20), "the API line", () -> out.toString().contains("API on"));
    Matcher port = Pattern.compile("http://localhost:(\\d+)|http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
    assertThat(port.find()).as(out.toString()).isTrue();
    String p = port.group(1) != null ? port.group(1) : port.group(2);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> refresh = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + p + "/api/v1/repos/platform/refresh"))
        .header("Authorization", "Bearer tok-1").POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refresh.statusCode()).as("the token is read from the file, without its newline").isEqualTo(202);
    assertThat(started.get()).isEqualTo(1);
    assertThat(daemon.refreshes).as("the core's first fetch, then the API's refresh; serve itself polls nothing")
        .containsExactly("platform", "platform");
    assertThat(exit).isNotDone();

    stop.complete(null);
    assertThat(exit.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    assertThat(daemon.closes.get()).isEqualTo(1);
  }

  /**
   * The real wiring: DaemonConfig, Daemon, Vert.x with the daemon's registry, polling a
   * {@code file://} repo holding the example platform (the daemon config reaches its clusters
   * through a kubeconfig that does not exist: the targets fail and retry, which must not keep the
   * repo from loading or the API from answering).
   */
  @Test
  void servesARealDaemonOnAFileRepo() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("git"));
        BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
      remote.copy(Path.of("examples/platform"), "");
      remote.commitAndPush("the example platform");
      Path token = Files.writeString(tmp.resolve("api-token"), "tok-2\n");
      Path config = Files.writeString(tmp.resolve("paved.yaml"), """
          apiVersion: paved.dev/v1alpha1
          kind: DaemonConfig
          http:
            host: 127.0.0.1
            port: 8080
            tokenFile: api-token
          stateDir: state
          drainTimeout: 5s
          repos:
            - name: platform
              url: %s
              pollInterval: 1h
          clusters:  # never a real cluster from the machine's ~/.kube/config
            nonprod: {kubeconfig: {file: %s}}
            prod-eu: {kubeconfig: {file: %s}}
          """.formatted(remote.url(), tmp.resolve("no-such-kubeconfig"), tmp.resolve("no-such-kubeconfig")));
      CompletableFuture<Void> stop = new CompletableFuture<>();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(
          new ServeCommand(ServeCommand::openCore, stop), out, err).execute("--config", config.toString(), "--port", "0"));
      try {
        Await.await(Duration.ofSeconds(30), "the API line", () -> out.toString().contains("API on") || exit.isDone());
        assertThat(exit).as(err.toString()).isNotDone();
        Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        String base = "http://127.0.0.1:" + m.group(1);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Await.await(Duration.ofSeconds(60), "/readyz 200 once the repo is loaded",
            () -> get(http, base + "/readyz").statusCode() == 200);
        assertThat(get(http, base + "/api/v1/status").statusCode()).as("the status needs a token").isEqualTo(401);
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status"))
            .header("Authorization", "Bearer tok-2").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.body()).contains("\"name\":\"platform\"")
            .contains(remote.head("main").getName());
        HttpResponse<String> metrics = get(http, base + "/metrics");
        assertThat(metrics.body()).contains("vertx_http_server_requests_total").contains("paved_");
        HttpResponse<String> refresh = http.send(HttpRequest.newBuilder(URI.create(base
                + "/api/v1/repos/platform/refresh")).header("Authorization", "Bearer tok-2")
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refresh.statusCode()).isEqualTo(202);
      } finally {
        stop.complete(null);
      }
      assertThat(exit.get(60, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(ExitCodes.OK);
      assertThat(blocked.warnings()).as("Vert.x blocked-thread warnings").isEmpty();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record Run(int exit, StringWriter out, StringWriter err) {}

  private static Run run(ServeCommand command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = cli(command, out, err).execute(args);
    return new Run(code, out, err);
  }

  private static CommandLine cli(ServeCommand command, StringWriter out, StringWriter err) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }
}
