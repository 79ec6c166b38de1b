package dev.paved.cli;

import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved validate [DIR]}. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Load and validate a config repo, render every environment and evaluate the policies.",
        "Prints each problem as file:line:col: severity: message, then a summary line."},
    footer = {"", "Exit codes: 0 valid, 1 errors or enforced policy violations, 2 usage error, 3 internal error."})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = "--format", defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format;

  enum Format { text, json }

  @Override
  public Integer call() throws Exception {
    Evaluation e = Evaluator.evaluate(Inputs.directory(dir), Main.coreWorkers());
    var out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(Reports.json(e));
    } else {
      Reports.text(e, out);
      out.println(Reports.summary(e));
    }
    return e.blocked() ? ExitCodes.FINDINGS : ExitCodes.OK;
  }
}
