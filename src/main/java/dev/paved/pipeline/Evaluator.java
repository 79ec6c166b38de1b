package dev.paved.pipeline;

import dev.paved.config.ConfigLoader;
import dev.paved.config.LoadResult;
import dev.paved.config.Platform;
import dev.paved.desired.RenderResult;
import dev.paved.desired.Renderer;
import dev.paved.policy.Finding;
import dev.paved.policy.PolicyEngine;
import dev.paved.source.ConfigTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Evaluates a config tree: load, validate, render every environment, evaluate policies. */
public final class Evaluator {

  private Evaluator() {}

  /** Evaluates {@code tree}; the desired state is stamped with {@code tree.revision()}. */
  public static Evaluation evaluate(ConfigTree tree) {
    LoadResult loaded = ConfigLoader.load(tree);
    if (loaded.platform().isEmpty()) {
      return new Evaluation(tree.revision(), Optional.empty(), Optional.empty(), loaded.diagnostics(), List.of());
    }
    Platform platform = loaded.platform().get();
    RenderResult rendered = Renderer.render(platform, tree.revision());
    List<dev.paved.config.Diagnostic> diagnostics = new ArrayList<>(loaded.diagnostics());
    diagnostics.addAll(rendered.diagnostics());
    List<Finding> findings = rendered.hasErrors() ? List.of() : PolicyEngine.evaluate(platform, rendered);
    return new Evaluation(tree.revision(), Optional.of(platform),
        rendered.hasErrors() ? Optional.empty() : Optional.of(rendered), diagnostics, findings);
  }
}
