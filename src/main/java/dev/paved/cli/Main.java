package dev.paved.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.paved.config.Workers;
import dev.paved.secret.ScrubbingWriter;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code paved} command. */
@Command(name = "paved", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "GitOps for an internal developer platform: validate, render, diff, plan and apply a config repo.",
    subcommands = {ValidateCommand.class, RenderCommand.class, DiffCommand.class, PlanCommand.class,
        ApplyCommand.class, ServeCommand.class, RollbackCommand.class, HistoryCommand.class, CatalogCommand.class,
        CodeownersCommand.class,
        AutoComplete.GenerateCompletion.class},
    footer = {"", "Exit codes: 0 ok, 1 findings (validation errors or enforced policy violations; for apply",
        "and plan also: objects failed, deletions held, cluster unreachable; for rollback: the revert conflicts or",
        "the push was refused), 2 usage error, 3 internal error."})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
      description = "Log debug details to stderr.")
  void verbose(boolean on) {
    if (on) {
      ((Logger) LoggerFactory.getLogger("dev.paved")).setLevel(Level.DEBUG);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * The threads the pure core (load, render, policies, diff) runs on for every command of this
   * process: one per core, at least two ({@link Workers#machineParallelism()}); daemon threads,
   * made on first use. Public for the benchmarks, which measure with what the CLI gets.
   */
  public static Workers coreWorkers() {
    return CoreWorkers.WORKERS;
  }

  private static final class CoreWorkers {
    static final Workers WORKERS = Workers.of(Workers.machineParallelism(), "paved-core");
  }

  /** Runs {@code paved args} with the given output streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return execute(commandLine(), args, out, err);
  }

  /** Runs {@code args} on {@code cli} (built by {@link #commandLine}) with the given output streams. */
  static int execute(CommandLine cli, String[] args, PrintWriter out, PrintWriter err) {
    // everything the CLI prints passes the secret scrubber
    PrintWriter scrubbedOut = new PrintWriter(new ScrubbingWriter(out), true);
    PrintWriter scrubbedErr = new PrintWriter(new ScrubbingWriter(err), true);
    cli.setOut(scrubbedOut);
    cli.setErr(scrubbedErr);
    int code = cli.execute(args);
    scrubbedOut.flush();
    scrubbedErr.flush();
    return code;
  }

  static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The {@code paved} command line, its commands made by {@code factory} (tests give their own). */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cli = new CommandLine(new Main(), factory);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof UsageException) {
        commandLine.getErr().println("paved: " + ex.getMessage());
        return ExitCodes.USAGE;
      }
      LoggerFactory.getLogger(Main.class).debug("internal error", ex);
      commandLine.getErr().println("paved: internal error: " + ex
          + " (run with --verbose for details; please report it)");
      return ExitCodes.INTERNAL;
    });
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli;
  }

  /** {@code --version}: the jar's Implementation-Version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"paved " + (v == null ? "dev" : v),
          "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")};
    }
  }
}
