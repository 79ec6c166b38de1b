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
 * state when it is valid, every diagnostic (sorted) and every policy finding (sorted); {@code
 * memo}: what the next evaluation may reuse ({@link Memo}; null when it keeps nothing).
 */
public record Evaluation(String revision, Optional<Platform> platform, Optional<RenderResult> rendered,
    List<Diagnostic> diagnostics, List<Finding> findings, Memo memo) {

  public Evaluation {
    diagnostics = diagnostics.stream().sorted().toList();
    findings = findings.stream().sorted().toList();
  }

  /** An evaluation that keeps nothing for the next one. */
  public Evaluation(String revision, Optional<Platform> platform, Optional<RenderResult> rendered,
      List<Diagnostic> diagnostics, List<Finding> findings) {
    this(revision, platform, rendered, diagnostics, findings, null);
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

  /**
   * A rough size of what this evaluation holds that the evaluation it was computed from did not
   * (units of about a KiB: a desired object rendered afresh, half a file parsed afresh, six
   * objects restamped with the commit: about 400 bytes each); at least 1. An evaluation from scratch counts everything.
   * What a cache bounded by weight adds up.
   */
  public int weight() {
    if (memo != null) {
      return memo.weight();
    }
    long objects = rendered.map(r -> r.state().environments().values().stream()
        .mapToLong(e -> e.objects().size()).sum()).orElse(0L);
    return (int) Math.min(Integer.MAX_VALUE, 1 + objects);
  }
}
