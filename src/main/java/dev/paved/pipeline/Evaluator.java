package dev.paved.pipeline;

import dev.paved.config.ConfigLoader;
import dev.paved.config.Diagnostic;
import dev.paved.config.LoadResult;
import dev.paved.config.Platform;
import dev.paved.config.Workers;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Pieces;
import dev.paved.desired.Renderer;
import dev.paved.desired.RenderResult;
import dev.paved.policy.Confinement;
import dev.paved.policy.Finding;
import dev.paved.policy.PolicyEngine;
import dev.paved.source.ConfigTree;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates a config tree: load, validate, render every environment, evaluate policies and the
 * built-in tenancy confinement ({@link Confinement}).
 *
 * <p><b>Incremental evaluation.</b> Given the evaluation of an earlier tree (in the daemon: the
 * last commit evaluated), only what a change can affect is computed again, and the result is
 * the same as from scratch ({@code IncrementalEvaluationTest} checks it over random commits):
 * <ul>
 *   <li>files whose bytes did not change are not parsed or schema-checked again; the checks
 *       between files (names, references, tenancy, CODEOWNERS, the kinds of the repo's CRDs) run
 *       on every evaluation, they are cheap;
 *   <li>when the environments, clusters and kinds known offline are the same, each (environment,
 *       service) pair of a service whose declaration (service.yaml, overrides, raw manifests) is
 *       unchanged keeps its workload and objects (only the commit annotation is restamped);
 *       otherwise every pair is rendered. Each environment's namespaces, RoleBindings, duplicate
 *       check and apply order are always recomputed;
 *   <li>when, in addition, the policies, teams and platform settings are the same, the findings
 *       about unchanged services are kept and the policies run over the changed services' objects
 *       (and the environments' own) only; a rule that looks across services
 *       ({@link PolicyEngine#crossService}) runs over the whole environment. Confinement findings
 *       are kept likewise when every team's namespaces are the same.
 * </ul>
 */
public final class Evaluator {

  private Evaluator() {}

  /** Evaluates {@code tree} on the caller's thread; the desired state is stamped with {@code tree.revision()}. */
  public static Evaluation evaluate(ConfigTree tree) {
    return evaluate(tree, Workers.sequential());
  }

  /** Evaluates {@code tree} on {@code workers}; the desired state is stamped with {@code tree.revision()}. */
  public static Evaluation evaluate(ConfigTree tree, Workers workers) {
    return evaluate(tree, null, workers);
  }

  /**
   * Evaluates {@code tree} on {@code workers}, reusing what {@code previous} (the evaluation of an
   * earlier tree of the same repo; null: none) computed for what did not change. The result is
   * the one {@link #evaluate(ConfigTree, Workers)} gives.
   */
  public static Evaluation evaluate(ConfigTree tree, Evaluation previous, Workers workers) {
    Memo before = previous == null ? null : previous.memo();
    ConfigLoader.Loaded loaded = ConfigLoader.load(tree, workers,
        before == null ? ConfigLoader.Reads.none() : before.reads());
    LoadResult load = loaded.result();
    Memo.Basis basis = before == null ? null : before.basis();
    if (load.platform().isEmpty()) {
      // Nothing to render: keep the last valid platform's pieces for the commit that fixes this one.
      return new Evaluation(tree.revision(), Optional.empty(), Optional.empty(), load.diagnostics(), List.of(),
          new Memo(loaded.reads(), basis, 1 + 2 * loaded.parsed()));
    }
    Platform platform = load.platform().get();
    boolean sameShape = basis != null && sameShape(basis.platform(), platform);
    Set<String> changed = sameShape ? changedServices(basis.platform(), platform) : Set.of();
    Renderer.Rendered r = Renderer.render(platform, tree.revision(), workers,
        sameShape ? basis.pieces() : Pieces.none(), service -> sameShape && !changed.contains(service));
    RenderResult rendered = r.result();
    List<Diagnostic> diagnostics = new ArrayList<>(load.diagnostics());
    diagnostics.addAll(rendered.diagnostics());
    List<Finding> findings = null;
    if (!rendered.hasErrors()) {
      boolean samePolicies = sameShape && basis.findings() != null && samePolicies(basis.platform(), platform);
      findings = samePolicies ? findings(platform, rendered, basis, changed, workers) : findings(platform, rendered, workers);
    }
    return new Evaluation(tree.revision(), Optional.of(platform),
        rendered.hasErrors() ? Optional.empty() : Optional.of(rendered), diagnostics,
        findings == null ? List.of() : findings, new Memo(loaded.reads(), new Memo.Basis(platform, r.pieces(), findings),
            1 + 2 * loaded.parsed() + r.renderedObjects() + r.reusedObjects() / 6));
  }

  /** Every policy and confinement finding of {@code rendered}. */
  private static List<Finding> findings(Platform platform, RenderResult rendered, Workers workers) {
    List<Finding> findings = new ArrayList<>(PolicyEngine.evaluate(platform, rendered, workers));
    // Tenancy is not a policy a platform may forget: always checked, each environment on its own.
    List<EnvironmentState> states = List.copyOf(rendered.state().environments().values());
    for (List<Finding> confined : workers.map(states, state -> Confinement.check(platform, state))) {
      findings.addAll(confined);
    }
    return findings;
  }

  /**
   * The findings of {@code rendered} from those of {@code basis} (same policies, environments,
   * teams, settings and kinds): the changed services and the environments' own objects evaluated
   * again, the rest kept.
   */
  private static List<Finding> findings(Platform platform, RenderResult rendered, Memo.Basis basis,
      Set<String> changed, Workers workers) {
    boolean sameGrants = grants(basis.platform()).equals(grants(platform));
    List<Finding> findings = new ArrayList<>();
    for (Finding f : basis.findings()) {
      boolean kept = f.service() != null && !changed.contains(f.service()) && (f.rule().equals(Confinement.NAME)
          ? sameGrants : !PolicyEngine.crossService(f.rule()));
      if (kept) {
        findings.add(f);
      }
    }
    findings.addAll(PolicyEngine.evaluate(platform, rendered, workers, changed::contains));
    for (EnvironmentState state : rendered.state().environments().values()) {
      findings.addAll(sameGrants
          ? Confinement.check(platform, state.environment(), state.objects().stream()
              .filter(o -> o.service() == null || changed.contains(o.service())).toList(),
              Confinement.Scopes.offline(platform.kinds()))
          : Confinement.check(platform, state));
    }
    return findings;
  }

  /** Whether a pair renders the same in both platforms when its service is the same: environments, clusters, kinds. */
  private static boolean sameShape(Platform a, Platform b) {
    return a.environments().equals(b.environments()) && a.clusters().equals(b.clusters())
        && a.kinds().custom().equals(b.kinds().custom());
  }

  /** Whether findings about an unchanged service are the same in both platforms (given the same shape). */
  private static boolean samePolicies(Platform a, Platform b) {
    return a.policies().equals(b.policies()) && a.teams().equals(b.teams()) && a.settings().equals(b.settings());
  }

  /** Services declared differently (or only) in one of the platforms. */
  private static Set<String> changedServices(Platform a, Platform b) {
    Set<String> changed = new HashSet<>();
    for (var e : a.services().entrySet()) {
      if (!Objects.equals(e.getValue(), b.services().get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (String name : b.services().keySet()) {
      if (!a.services().containsKey(name)) {
        changed.add(name);
      }
    }
    return changed;
  }

  /** The namespaces each team may write in each environment (what confinement judges by). */
  private static Map<String, Map<String, Set<String>>> grants(Platform platform) {
    Map<String, Map<String, Set<String>>> out = new TreeMap<>();
    platform.teams().values().forEach(team -> platform.environments().values().forEach(env ->
        out.computeIfAbsent(team.name(), k -> new TreeMap<>()).put(env.name(), platform.namespaces(team, env))));
    return out;
  }
}
