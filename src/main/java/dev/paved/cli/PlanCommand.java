package dev.paved.cli;

import dev.paved.apply.Clusters;
import dev.paved.plan.Plan;
import dev.paved.plan.PlanPrinter;
import dev.paved.plan.Redactor;
import dev.paved.reconcile.LivePlanner;
import dev.paved.reconcile.TargetSync;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved plan [DIR] --env NAME}: what an apply would change on the live cluster. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Show what `paved apply` would change on the environment's live cluster, computed",
        "with server-side dry-run: objects to create, to update (field-level diff of live vs.",
        "would-be), to prune, deletions the prune guard would hold or the apply would skip,",
        "objects that exist without being Paved's (conflicts) and objects the apiserver would",
        "refuse. Writes nothing. Secret values are masked."},
    footer = {"", "Exit codes: 0 planned, 1 config blocked, the cluster unreachable or an object the",
        "apiserver would refuse, 2 usage error, 3 internal error."})
final class PlanCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = {"-e", "--env"}, required = true, paramLabel = "NAME", description = "Environment to plan.")
  String environment;

  @Mixin
  LiveTarget.ClusterOptions cluster;

  @Option(names = "--format", defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format;

  enum Format { text, markdown, json }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<LiveTarget> evaluated = LiveTarget.evaluate(dir, environment, err);
    if (evaluated.isEmpty()) {
      return ExitCodes.FINDINGS;
    }
    try (LiveTarget t = evaluated.get()) {
      Plan plan;
      try {
        t.connect(cluster);
        plan = LivePlanner.plan(t.state, TargetSync.prunePolicy(t.environment), t.ignore(), t.commit, t.manager,
            t.inventories, new Redactor());
      } catch (Clusters.ClusterException e) {
        err.println("paved: " + e.getMessage());
        return ExitCodes.FINDINGS;
      } catch (KubernetesClientException e) {
        err.println("paved: cluster \"" + t.cluster.name() + "\" failed to answer: " + e.getMessage());
        return ExitCodes.FINDINGS;
      }
      out.print(switch (format) {
        case text -> PlanPrinter.text(plan);
        case markdown -> PlanPrinter.markdown(plan);
        case json -> PlanPrinter.json(plan);
      });
      return plan.refused() ? ExitCodes.FINDINGS : ExitCodes.OK;
    }
  }
}
