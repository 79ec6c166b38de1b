package dev.paved.desired;

import dev.paved.config.Diagnostic;
import dev.paved.config.Workload;
import java.util.List;

/** The desired state of a commit, the workloads it was rendered from, and rendering problems. */
public record RenderResult(DesiredState state, List<Workload> workloads, List<Diagnostic> diagnostics) {

  public RenderResult {
    workloads = List.copyOf(workloads);
    diagnostics = diagnostics.stream().sorted().toList();
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }
}
