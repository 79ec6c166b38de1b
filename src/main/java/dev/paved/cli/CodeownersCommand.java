package dev.paved.cli;

import dev.paved.config.Codeowners;
import dev.paved.config.ConfigLoader;
import dev.paved.config.Diagnostic;
import dev.paved.config.LoadResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved codeowners [DIR] [--format github|gitlab]}: reviews follow ownership. */
@Command(name = "codeowners", mixinStandardHelpOptions = true,
    description = {"Print the CODEOWNERS file of a config repo, written from its teams: each service directory",
        "is reviewed by its team's owners (teams/<name>.yaml), the platform's files (platform.yaml, clusters/,",
        "environments/, policies/, teams/, CODEOWNERS) by the platform's owners (platform.yaml).",
        "Commit it as .github/CODEOWNERS (GitHub) or CODEOWNERS / .gitlab/CODEOWNERS (GitLab);",
        "paved validate warns when the committed file is stale."},
    footer = {"", "Exit codes: 0 printed, 1 the config has errors (printed on stderr), 2 usage error, 3 internal error."})
final class CodeownersCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = "--format", defaultValue = "github",
      description = "github (one rule per line) or gitlab (the same rules in sections): ${COMPLETION-CANDIDATES}.")
  Codeowners.Format format;

  @Override
  public Integer call() throws Exception {
    LoadResult loaded = ConfigLoader.load(Inputs.directory(dir));
    if (loaded.platform().isEmpty()) {
      var err = spec.commandLine().getErr();
      loaded.diagnostics().stream().filter(Diagnostic::isError).forEach(err::println);
      err.println("paved: the config has errors; fix them first");
      return ExitCodes.FINDINGS;
    }
    spec.commandLine().getOut().print(Codeowners.render(loaded.platform().get(), format));
    return ExitCodes.OK;
  }
}
