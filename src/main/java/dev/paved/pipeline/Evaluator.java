package dev.paved.pipeline;

import dev.paved.config.ConfigLoader;
import dev.paved.config.LoadResult;
import dev.paved.config.Platform;
import dev.paved.config.Workers;
import dev.paved.desired.RenderResult;
import dev.paved.desired.Renderer;
import dev.paved.desired.EnvironmentState;
import dev.paved.policy.Confinement;
import dev.paved.policy.Finding;
import dev.paved.policy.PolicyEngine;
import dev.paved.source.ConfigTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates a config tree: load, validate, render every environment, evaluate policies and the
 * built-in tenancy confinement ({@link Confinement}).
 */
public final class Evaluator {

  private Evaluator() {}

  /** Evaluates {@code tree} on the caller's thread; the desired state is stamped with {@code tree.revision()}. */
  public static Evaluation evaluate(ConfigTree tree) {
    return evaluate(tree, Workers.sequential());
  }

  /** Evaluates {@code tree} on {@code workers}; the desired state is stamped with {@code tree.revision()}. */
  public static Evaluation evaluate(ConfigTree tree, Workers workers) {
    LoadResult loaded = ConfigLoader.load(tree, workers);
    if (loaded.platform().isEmpty()) {
      return new Evaluation(tree.revision(), Optional.empty(), Optional.empty(), loaded.diagnostics(), List.of());
    }
    Platform platform = loaded.platform().get();
    RenderResult rendered = Renderer.render(platform, tree.revision(), workers);
    List<dev.paved.config.Diagnostic> diagnostics = new ArrayList<>(loaded.diagnostics());
    diagnostics.addAll(rendered.diagnostics());
    List<Finding> findings = new ArrayList<>();
    if (!rendered.hasErrors()) {
      findings.addAll(PolicyEngine.evaluate(platform, rendered, workers));
      // Tenancy is not a policy a platform may forget: always checked.
      for (EnvironmentState state : rendered.state().environments().values()) {
        findings.addAll(Confinement.check(platform, state));
      }
    }
    return new Evaluation(tree.revision(), Optional.of(platform),
        rendered.hasErrors() ? Optional.empty() : Optional.of(rendered), diagnostics, findings);
  }
}
