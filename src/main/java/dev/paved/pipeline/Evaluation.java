package dev.paved.pipeline;

import dev.paved.config.Diagnostic;
import dev.paved.config.Platform;
import dev.paved.desired.DesiredState;
import dev.paved.desired.RenderResult;
import dev.paved.policy.Finding;
import java.util.List;
import java.util.Optional;

/**
 * Everything Paved knows about one revision of a config repo: the platform and its desired
 * state when it is valid, every diagnostic (sorted) and every policy finding (sorted).
 */
public record Evaluation(String revision, Optional<Platform> platform, Optional<RenderResult> rendered,
    List<Diagnostic> diagnostics, List<Finding> findings) {

  public Evaluation {
    diagnostics = diagnostics.stream().sorted().toList();
    findings = findings.stream().sorted().toList();
  }

  /** Load or render errors: the revision cannot be applied at all. */
  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  /** Findings of enforced policies. */
  public List<Finding> violations() {
    return findings.stream().filter(Finding::blocking).toList();
  }

  /** True when the revision must not change any cluster. */
  public boolean blocked() {
    return hasErrors() || !violations().isEmpty();
  }

  public Optional<DesiredState> desired() {
    return rendered.map(RenderResult::state);
  }

  /** Diagnostics and findings together, as the CLI prints them. */
  public List<Diagnostic> problems() {
    return java.util.stream.Stream.concat(diagnostics.stream(), findings.stream().map(Finding::toDiagnostic))
        .sorted().toList();
  }
}
