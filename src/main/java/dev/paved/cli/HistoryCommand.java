package dev.paved.cli;

import dev.paved.desired.DesiredState;
import dev.paved.pipeline.EvaluationCache;
import dev.paved.plan.HistoryPrinter;
import dev.paved.plan.Redactor;
import dev.paved.plan.ServiceHistory;
import dev.paved.source.CommitInfo;
import dev.paved.source.GitSource;
import dev.paved.source.GitSourceException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved history [DIR] [--service S] [--env E]}: the changelog of services, from git. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Which commits changed the rendered objects of each service, per environment: author,",
        "time, message, and the image before -> after. Commits that touch a service's files without",
        "changing what is rendered are left out; commits that do not validate were never applied."},
    footer = {"", "Exit codes: 0 ok, 2 usage error (not a git repo, unknown revision), 3 internal error."})
final class HistoryCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory inside a git work tree (default: current directory).")
  Path dir;

  @Option(names = "--service", paramLabel = "NAME", description = "Only this service.")
  String service;

  @Option(names = "--env", paramLabel = "NAME", description = "Only this environment.")
  String environment;

  @Option(names = "--rev", defaultValue = "HEAD", paramLabel = "REV", description = "Newest revision (default: HEAD).")
  String rev;

  @Option(names = "--max-count", defaultValue = "50", paramLabel = "N",
      description = "How many commits touching the config repo to look at, newest first (default: 50).")
  int maxCount;

  @Option(names = "--format", defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format;

  enum Format { text, markdown, json }

  @Override
  public Integer call() throws Exception {
    if (maxCount < 1) {
      throw new UsageException("--max-count must be at least 1");
    }
    List<ServiceHistory.Entry> entries;
    try (GitSource git = GitSource.open(dir)) {
      List<CommitInfo> commits = git.log(rev, maxCount);
      EvaluationCache cache = new EvaluationCache(4, Main.coreWorkers());
      ServiceHistory history = new ServiceHistory(new Redactor(),
          s -> service == null || service.equals(s), e -> environment == null || environment.equals(e));
      entries = history.walk(commits, id -> desired(git, cache, id));
    } catch (GitSourceException e) {
      throw new UsageException(e.getMessage());
    }
    var out = spec.commandLine().getOut();
    out.print(switch (format) {
      case text -> HistoryPrinter.text(entries);
      case markdown -> HistoryPrinter.markdown(entries);
      case json -> HistoryPrinter.json(entries);
    });
    return ExitCodes.OK;
  }

  private static Optional<DesiredState> desired(GitSource git, EvaluationCache cache, String id) {
    return cache.get(id, () -> {
      try {
        return git.read(id);
      } catch (GitSourceException e) {
        throw new UsageException(e.getMessage());
      }
    }).desired();
  }
}
