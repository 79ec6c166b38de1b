package dev.paved.cli;

import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.Clusters;
import dev.paved.apply.DirectLiveState;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.HealthWait;
import dev.paved.reconcile.TargetSync;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved apply [DIR] --env NAME}: one sync of one target, exactly what the daemon runs. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = {"Apply one environment of a config repo to its cluster once, as the daemon does:",
        "server-side apply (field manager paved; only objects that differ are written), prune",
        "what the previous inventory holds and the config no longer declares (guarded), record",
        "the inventory in the cluster, optionally wait for health. One line per object, then a",
        "summary."},
    footer = {"", "Exit codes: 0 synced (and healthy with --wait); 1 config blocked (nothing applied),",
        "an object failed, a deletion held, not healthy in time, or the cluster unreachable;",
        "2 usage error; 3 internal error."})
final class ApplyCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = {"-e", "--env"}, required = true, paramLabel = "NAME", description = "Environment to apply.")
  String environment;

  @Mixin
  LiveTarget.ClusterOptions cluster;

  @Option(names = "--dry-run", description = "Compute with server-side dry-run what would change; write nothing.")
  boolean dryRun;

  @Option(names = "--wait", paramLabel = "DURATION", converter = Durations.class,
      description = "After applying, wait up to DURATION (e.g. 90s, 5m, PT2M) for every object to be healthy "
          + "and print each object's health.")
  Duration wait;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<LiveTarget> evaluated = LiveTarget.evaluate(dir, environment, err);
    if (evaluated.isEmpty()) {
      return ExitCodes.FINDINGS;
    }
    try (LiveTarget t = evaluated.get()) {
      try {
        t.connect(cluster);
      } catch (Clusters.ClusterException e) {
        err.println("paved: " + e.getMessage());
        return ExitCodes.FINDINGS;
      }
      String prefix = dryRun ? "(dry run) " : "";
      out.println(prefix + "Applying environment " + environment + " to cluster " + t.cluster.name() + " ("
          + t.client.getConfiguration().getMasterUrl() + ") at " + t.commit + ": " + t.state.objects().size()
          + " objects");
      TargetSync.Result result = TargetSync.run(t.state, TargetSync.prunePolicy(t.environment), t.commit,
          t.manager, t.inventories, new TargetSync.Options(dryRun,
              dev.paved.apply.ResourceManager.Options.defaults().withIgnore(t.ignore()))
              .confining(t.evaluation.platform().orElseThrow()));
      for (ChangeSet.Entry e : result.changes().entries()) {
        out.println("  " + e);
      }
      if (result.error().isPresent()) {
        err.println("paved: " + result.error().get());
        out.println(prefix + environment + ": not synced: " + result.error().get());
        return ExitCodes.FINDINGS;
      }
      ChangeSet c = result.changes();
      String verdict = result.synced() ? "synced" : "NOT synced (" + problems(c) + ")";
      out.println(prefix + environment + ": " + c.summary() + " (" + t.manager.writes() + " writes) - " + verdict);
      boolean healthy = true;
      if (wait != null && !dryRun) {
        List<ObjectKey> keys = t.state.objects().stream().map(o -> o.key()).toList();
        HealthWait.Result h = HealthWait.await(keys, new DirectLiveState(t.client), wait, Duration.ofSeconds(1));
        out.println("Health" + (h.timedOut() ? " after waiting " + Durations.format(wait) : "") + ":");
        h.objects().forEach((k, s) -> out.println("  " + k + " " + s));
        out.println(environment + " health: " + h.target());
        healthy = h.healthy();
      }
      return result.synced() && healthy ? ExitCodes.OK : ExitCodes.FINDINGS;
    }
  }

  private static String problems(ChangeSet c) {
    StringBuilder b = new StringBuilder();
    if (c.count(Action.FAILED) > 0) {
      b.append(c.count(Action.FAILED)).append(" failed");
    }
    if (c.count(Action.CONFLICT) > 0) {
      b.append(b.length() > 0 ? ", " : "").append(c.count(Action.CONFLICT)).append(" in conflict");
    }
    if (c.count(Action.HELD) > 0) {
      b.append(b.length() > 0 ? ", " : "").append(c.count(Action.HELD)).append(" deletion(s) held");
    }
    return b.toString();
  }
}
