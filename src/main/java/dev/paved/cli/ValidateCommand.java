package dev.paved.cli;

import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import dev.paved.source.CommitSignature;
import dev.paved.source.GitSource;
import dev.paved.source.GitSourceException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved validate [DIR]}. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Load and validate a config repo, render every environment and evaluate the policies.",
        "Prints each problem as file:line:col: severity: message, then a summary line."},
    footer = {"", "Exit codes: 0 valid, 1 errors or enforced policy violations (or, with --verify-signatures, HEAD not",
        "signed by a trusted key), 2 usage error (also unreadable KEYS, DIR not in git), 3 internal error."})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = "--format", defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format;

  @Option(names = "--verify-signatures", paramLabel = "KEYS", split = ",",
      description = {"Also check the signature of the git HEAD commit of DIR's repository against these trusted keys:",
          "armored OpenPGP public key files and/or SSH allowed-signers files (comma-separated or repeated)."})
  List<Path> verifySignatures;

  enum Format { text, json }

  @Override
  public Integer call() throws Exception {
    Evaluation e = Evaluator.evaluate(Inputs.directory(dir), Main.coreWorkers());
    CommitSignature signature = null;
    if (verifySignatures != null && !verifySignatures.isEmpty()) {
      var keys = SignatureCheck.keys(verifySignatures);
      try (GitSource git = GitSource.open(dir)) {
        signature = SignatureCheck.verify(git, "HEAD", keys);
      } catch (GitSourceException ex) {
        throw new UsageException("--verify-signatures: " + ex.getMessage());
      }
    }
    var out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(signature == null ? Reports.json(e) : Reports.json(e, "HEAD", signature));
    } else {
      Reports.text(e, out);
      if (signature != null) {
        out.println(SignatureCheck.line("HEAD", signature));
      }
      out.println(Reports.summary(e));
    }
    return e.blocked() || (signature != null && !signature.trusted()) ? ExitCodes.FINDINGS : ExitCodes.OK;
  }
}
