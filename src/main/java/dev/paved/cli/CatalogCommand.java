package dev.paved.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.catalog.Catalog;
import dev.paved.desired.Manifests;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.Evaluator;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code paved catalog [DIR] --format backstage}: the config repo as software catalog entities. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = {"Write the config repo as Backstage catalog entities: a Group per team, a Component per",
        "service (owner, lifecycle, links, dashboard annotation), a System per declared system.",
        "Register the output (catalog-info.yaml) with Backstage, or serve it from GET /api/v1/catalog."},
    footer = {"", "Exit codes: 0 ok, 1 the config repo does not load (problems printed), 2 usage error, 3 internal error."})
final class CatalogCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
      description = "Config repo directory (default: current directory).")
  Path dir;

  @Option(names = "--format", defaultValue = "backstage",
      description = "backstage: multi-document YAML; json: a JSON array of the same entities.")
  Format format;

  @Option(names = "--dashboard-url", paramLabel = "URL",
      description = "Base URL of the Paved dashboard, for each Component's paved.dev/dashboard annotation.")
  String dashboardUrl;

  enum Format { backstage, json }

  @Override
  public Integer call() throws Exception {
    Evaluation e = Evaluator.evaluate(Inputs.directory(dir), Main.coreWorkers());
    if (e.platform().isEmpty()) {
      Reports.text(e, spec.commandLine().getErr());
      return ExitCodes.FINDINGS;
    }
    List<ObjectNode> entities = Catalog.backstage(e.platform().get(), Optional.ofNullable(dashboardUrl));
    var out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(entities));
    } else {
      for (ObjectNode entity : entities) {
        out.print("---\n" + Manifests.toYaml(entity));
      }
    }
    return ExitCodes.OK;
  }
}
