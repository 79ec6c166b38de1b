package dev.paved.cli;

import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.EvaluationCache;
import dev.paved.plan.Plan;
import dev.paved.plan.PlanPrinter;
import dev.paved.plan.Planner;
import dev.paved.plan.Redactor;
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

/** {@code paved diff --base REV [--head REV] [DIR]}: what a pull request changes, per environment. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {"Render two git revisions of a config repo (read from git, no checkout) and show, per",
        "environment, the objects added, changed (unified diff) or removed, and the policy findings",
        "that appear or disappear. Secret-looking values are masked."},
    footer = {"", "Exit codes: 0 head is valid, 1 head has errors or enforced policy violations (or, with",
        "--verify-signatures, head is not signed by a trusted key), 2 usage error (unknown revision, not a git repo,",
        "unreadable KEYS), 3 internal error."})
final class DiffCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory inside a git work tree (default: current directory).")
  Path dir;

  @Option(names = "--base", required = true, paramLabel = "REV", description = "Base revision, e.g. origin/main.")
  String base;

  @Option(names = "--head", defaultValue = "HEAD", paramLabel = "REV", description = "Head revision (default: HEAD).")
  String head;

  @Option(names = "--format", defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format;

  @Option(names = "--verify-signatures", paramLabel = "KEYS", split = ",",
      description = {"Also report the signature of the head commit against these trusted keys: armored OpenPGP",
          "public key files and/or SSH allowed-signers files (comma-separated or repeated)."})
  List<Path> verifySignatures;

  enum Format { text, markdown, json }

  @Override
  public Integer call() throws Exception {
    EvaluationCache cache = new EvaluationCache(8, Main.coreWorkers());
    Evaluation before;
    Evaluation after;
    CommitSignature signature = null;
    var keys = verifySignatures == null || verifySignatures.isEmpty() ? null : SignatureCheck.keys(verifySignatures);
    try (GitSource git = GitSource.open(dir)) {
      String baseId = git.resolve(base).getName();
      String headId = git.resolve(head).getName();
      if (keys != null) {
        signature = SignatureCheck.verify(git, head, keys);
      }
      before = cache.get(baseId, () -> read(git, baseId));
      after = cache.get(headId, () -> read(git, headId));
    } catch (GitSourceException e) {
      throw new UsageException(e.getMessage());
    }
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    boolean untrusted = signature != null && !signature.trusted();
    if (signature != null && format != Format.json) {
      out.println(format == Format.markdown ? "**" + SignatureCheck.line(head, signature) + "**\n"
          : SignatureCheck.line(head, signature));
    }
    if (after.desired().isEmpty()) {
      err.println("head " + head + " does not validate:");
      Reports.text(after, err);
      return ExitCodes.FINDINGS;
    }
    if (before.desired().isEmpty()) {
      err.println("note: base " + base + " does not validate; every object of head is shown as added");
    }
    Plan plan = new Planner(new Redactor(), Main.coreWorkers()).between(
        before.desired().orElse(new dev.paved.desired.DesiredState(before.revision(), java.util.Map.of())),
        before.findings(), after.desired().get(), after.findings());
    out.print(switch (format) {
      case text -> PlanPrinter.text(plan);
      case markdown -> PlanPrinter.markdown(plan);
      case json -> signature == null ? PlanPrinter.json(plan) : Reports.withSignature(PlanPrinter.json(plan), head,
          signature);
    });
    return after.blocked() || untrusted ? ExitCodes.FINDINGS : ExitCodes.OK;
  }

  private static dev.paved.source.ConfigTree read(GitSource git, String id) {
    try {
      return git.read(id);
    } catch (GitSourceException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
