package dev.paved.cli;

import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Manifests;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved render [DIR] --env NAME [--service NAME] [--out DIR]}: the plain manifests. */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = {"Print the Kubernetes objects Paved would apply to an environment, as multi-document YAML.",
        "This is the exit door: the plain manifests, exactly as they are applied."},
    footer = {"", "Exit codes: 0 rendered, 1 the config has errors (printed on stderr), 2 usage error, 3 internal error.",
        "Policy findings are printed on stderr but do not stop rendering."})
final class RenderCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = {"-e", "--env"}, required = true, paramLabel = "NAME", description = "Environment to render.")
  String environment;

  @Option(names = {"-s", "--service"}, paramLabel = "NAME", description = "Only this service's objects.")
  String service;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Write one file per object (<kind>-<namespace>-<name>.yaml) into DIR instead of stdout.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Evaluation e = Evaluator.evaluate(Inputs.directory(dir), Main.coreWorkers());
    var err = spec.commandLine().getErr();
    if (e.desired().isEmpty()) {
      Reports.text(e, err);
      err.println(Reports.summary(e));
      return ExitCodes.FINDINGS;
    }
    EnvironmentState state = e.desired().get().environment(environment).orElseThrow(() -> new UsageException(
        "unknown environment \"" + environment + "\"; environments: "
            + String.join(", ", e.desired().get().environments().keySet())));
    if (service != null && e.platform().get().services().get(service) == null) {
      throw new UsageException("unknown service \"" + service + "\"; services: "
          + String.join(", ", e.platform().get().services().keySet()));
    }
    List<DesiredObject> objects = service == null ? state.objects() : state.ofService(service);
    e.problems().forEach(err::println);
    if (out == null) {
      spec.commandLine().getOut().print(Manifests.toYamlStream(objects));
    } else {
      Files.createDirectories(out);
      for (DesiredObject o : objects) {
        String name = (o.key().kind() + "-" + (o.key().namespace() == null ? "" : o.key().namespace() + "-")
            + o.key().name()).toLowerCase(java.util.Locale.ROOT) + ".yaml";
        Files.writeString(out.resolve(name), o.yaml(), StandardCharsets.UTF_8);
      }
      err.println("wrote " + objects.size() + " objects to " + out);
    }
    return ExitCodes.OK;
  }
}
