package dev.paved.cli;

import ch.qos.logback.classic.Level;
import dev.paved.config.Diagnostic;
import dev.paved.reconcile.Daemon;
import dev.paved.reconcile.DaemonApi;
import dev.paved.reconcile.DaemonConfig;
import dev.paved.secret.Scrubber;
import dev.paved.server.ApiServer;
import dev.paved.server.ApiTokens;
import dev.paved.server.ServeRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code paved serve --config FILE [--port N]}: the daemon. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the daemon: follow the config repos of the daemon config, reconcile every target",
        "when a new commit arrives (and periodically), correct drift, and serve the HTTP API",
        "(/healthz, /readyz, /metrics, /api/v1/...). Runs until SIGTERM or Ctrl-C, then stops",
        "polling, lets applies under way finish (bounded) and exits 0."},
    footer = {"", "Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not start (port in use, daemon failed),",
        "2 invalid daemon config or usage error (nothing started), 3 internal error."})
final class ServeCommand implements Callable<Integer> {

  /**
   * The logger, made on first use: picocli makes every command at start, and a logger here would
   * configure Logback (half a thousand classes) for every command, logging or not.
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  }

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "Daemon config (YAML; see schema/daemon.schema.json).")
  Path config;

  @Option(names = {"-p", "--port"}, paramLabel = "N",
      description = "HTTP port (overrides the config's; 0: any free port).")
  Integer port;

  /** What serve needs from the daemon core once its config is loaded: the daemon and the API's settings. */
  interface Core extends AutoCloseable {
    DaemonApi daemon();

    /** Where the API listens, the token file, the bound on shutting down. */
    Config config();

    /** Starts the daemon's own work (for the real daemon: fetch every repo, then poll them); returns at once. */
    void start();

    /** Stops the daemon: no new work, applies under way finish within the drain bound. */
    @Override
    void close();
  }

  /**
   * The daemon config as serve reads it: where the API listens, its token file or tokens file,
   * whether reads are public, TLS, where the audit log is kept, the bound on shutting down.
   */
  record Config(String host, int port, Optional<Path> apiTokenFile, Optional<Path> tokensFile, boolean publicRead,
      Optional<DaemonConfig.Tls> tls, Optional<Path> auditDir, Duration shutdownTimeout) {
    Config(String host, int port, Optional<Path> apiTokenFile, Duration shutdownTimeout) {
      this(host, port, apiTokenFile, Optional.empty(), false, Optional.empty(), Optional.empty(), shutdownTimeout);
    }
  }

  /** The daemon config is invalid: one {@code file:line:col: error: message} line per problem. */
  static final class InvalidConfig extends Exception {
    final List<String> problems;

    InvalidConfig(List<String> problems) {
      super(problems.size() + " problem(s)", null, false, false);
      this.problems = List.copyOf(problems);
    }
  }

  /** Loads the daemon config and builds (but does not start polling) the daemon. */
  @FunctionalInterface
  interface CoreFactory {
    Core open(Path configFile) throws InvalidConfig;
  }

  private final CoreFactory factory;
  private final CompletionStage<Void> stopSignal;

  ServeCommand() {
    this(ServeCommand::openCore, null);
  }

  /** For tests: another core, and a stop signal instead of SIGTERM/SIGINT. */
  ServeCommand(CoreFactory factory, CompletionStage<Void> stopSignal) {
    this.factory = factory;
    this.stopSignal = stopSignal;
  }

  /**
   * The daemon core: {@link DaemonConfig#load} (every problem as {@code file:line:col}), then
   * {@link Daemon#create}. The daemon itself fetches every repo when started, polls each every
   * {@code pollInterval} and runs the periodic full reconcile ({@code resyncInterval}) on its own
   * scheduler; serve adds only the HTTP edge.
   */
  static Core openCore(Path file) throws InvalidConfig {
    DaemonConfig config;
    try {
      config = DaemonConfig.load(file);
    } catch (DaemonConfig.InvalidConfigException e) {
      throw new InvalidConfig(e.diagnostics().stream().map(Diagnostic::toString).toList());
    }
    dev.paved.notify.NotificationConfig notifications;
    try {
      notifications = dev.paved.notify.NotificationConfig.load(file);
    } catch (DaemonConfig.InvalidConfigException e) {
      throw new InvalidConfig(e.diagnostics().stream().map(Diagnostic::toString).toList());
    }
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    Optional<dev.paved.notify.Notifier> notifier = dev.paved.notify.Notifier.of(notifications, registry);
    Daemon daemon = Daemon.create(config, Daemon.Options.defaults().withRegistry(registry)
        .withEvents(notifier.<dev.paved.reconcile.DaemonEvent.Listener>map(n -> n)
            .orElse(dev.paved.reconcile.DaemonEvent.Listener.NONE)));
    DaemonConfig.Http h = config.http();
    Config serve = new Config(h.host(), h.port(), h.tokenFile(), h.tokensFile(), h.publicRead(), h.tls(),
        Optional.of(config.stateDir().resolve("audit")), config.drainTimeout().plusSeconds(15));
    return new Core() {
      @Override
      public DaemonApi daemon() {
        return daemon;
      }

      @Override
      public Config config() {
        return serve;
      }

      @Override
      public void start() {
        daemon.start();
      }

      @Override
      public void close() {
        daemon.close();
        notifier.ifPresent(dev.paved.notify.Notifier::close);
      }
    };
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port != null && (port < 0 || port > 65535)) {
      throw new UsageException("--port must be between 0 and 65535, not " + port);
    }
    if (stopSignal == null) {
      daemonLogging();
    }
    Core core;
    try {
      core = factory.open(config);
    } catch (InvalidConfig e) {
      e.problems.forEach(err::println);
      err.println("paved: the daemon config " + config + " is invalid (" + e.problems.size()
          + " problem(s)); nothing started");
      return ExitCodes.USAGE;
    }
    ServeRuntime runtime;
    try {
      Config c = core.config();
      ApiTokens tokens = tokens(c);
      if (tokens.isEmpty()) {
        Log.LOG.warn("no API tokens configured (http.tokensFile or http.tokenFile): the write endpoints are refused{}",
            c.publicRead() ? "" : ", and so are the status and the dashboard's data (http.publicRead is false)");
      }
      ApiServer.Options api = new ApiServer.Options(c.host(), port != null ? port : c.port(), tokens, c.publicRead(),
          c.auditDir(), c.tls().map(t -> new ApiServer.Tls(t.certFile(), t.keyFile())))
          .withTokensFile(c.tokensFile().map(ApiServer.TokensFile::new).orElse(null));
      ServeRuntime.Settings settings = new ServeRuntime.Settings(api, c.shutdownTimeout());
      core.start();
      runtime = ServeRuntime.start(core.daemon(), core, settings, ServeRuntime.defaultOptions());
    } catch (UsageException e) {
      core.close();
      throw e;
    } catch (Exception e) {
      core.close();
      err.println("paved: cannot start: " + rootMessage(e));
      return ExitCodes.FINDINGS;
    }
    CompletableFuture<Void> stop = new CompletableFuture<>();
    if (stopSignal != null) {
      stopSignal.whenComplete((v, e) -> stop.complete(null));
    } else {
      onSignals(stop);
    }
    Thread hook = new Thread(() -> {
      stop.complete(null);
      runtime.close();
    }, "paved-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("paved serve: API on " + (core.config().tls().isPresent() ? "https" : "http") + "://" + displayHost(core.config().host()) + ":" + runtime.port()
        + " (metrics /metrics, status /api/v1/status)");
    out.flush();
    stop.join();
    Log.LOG.info("stop requested");
    runtime.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already: the hook has run or runs and returns at once
    }
    return ExitCodes.OK;
  }

  /** The API's tokens: the tokens file's, or the token file's one token (named default), or none. */
  private static ApiTokens tokens(Config c) {
    if (c.tokensFile().isPresent()) {
      try {
        return ApiTokens.load(c.tokensFile().get());
      } catch (DaemonConfig.InvalidConfigException e) {
        throw new UsageException(e.diagnostics().stream().map(Diagnostic::toString)
            .collect(java.util.stream.Collectors.joining("\n")) + "\nthe API tokens file " + c.tokensFile().get()
            + " is invalid");
      }
    }
    return readToken(c.apiTokenFile()).map(ApiTokens::single).orElse(ApiTokens.none());
  }

  private static Optional<String> readToken(Optional<Path> file) {
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String token = Scrubber.register(Files.readString(file.get(), StandardCharsets.UTF_8).strip());
      if (token.isEmpty()) {
        throw new UsageException("the API token file " + file.get() + " is empty");
      }
      return Optional.of(token);
    } catch (IOException e) {
      throw new UsageException("cannot read the API token file " + file.get() + ": " + e.getMessage());
    }
  }

  /** SIGTERM and SIGINT complete {@code stop} (so that the process exits 0 after a clean close). */
  private static void onSignals(CompletableFuture<Void> stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
          Log.LOG.info("SIG{} received", name);
          stop.complete(null);
        });
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        Log.LOG.debug("cannot handle SIG{} ({}); the shutdown hook closes the daemon", name, e.toString());
      }
    }
  }

  /** The daemon logs one line per event at INFO unless PAVED_LOG_LEVEL or --verbose says otherwise. */
  private static void daemonLogging() {
    ch.qos.logback.classic.Logger paved = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.paved");
    if (System.getenv("PAVED_LOG_LEVEL") == null && !paved.isDebugEnabled()) {
      paved.setLevel(Level.INFO);
    }
  }

  private static String displayHost(String host) {
    return host == null || host.isEmpty() || host.equals("0.0.0.0") ? "localhost" : host;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
