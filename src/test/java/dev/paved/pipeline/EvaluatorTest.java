package dev.paved.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Diagnostic;
import dev.paved.config.Fixtures;
import dev.paved.config.Severity;
import dev.paved.policy.Finding;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static final String NO_LATEST = """
      apiVersion: paved.dev/v1alpha1
      kind: Policy
      rule: disallowed-image-tags
      enforcement: %s
      """;

  private static final String LATEST_OVERRIDE = """
      apiVersion: paved.dev/v1alpha1
      kind: Override
      image:
        tag: latest
      """;

  @Test
  void validTreeEvaluatesWithoutErrors() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal().file("policies/no-latest.yaml", NO_LATEST.formatted("enforce"))
        .tree());

    assertThat(e.revision()).isEqualTo("test");
    assertThat(e.hasErrors()).isFalse();
    assertThat(e.diagnostics()).isEmpty();
    assertThat(e.findings()).isEmpty();
    assertThat(e.blocked()).isFalse();
    assertThat(e.platform()).isPresent();
    assertThat(e.desired()).isPresent();
    assertThat(e.desired().get().revision()).isEqualTo("test");
    assertThat(e.desired().get().environment("dev").orElseThrow().objects()).isNotEmpty();
  }

  @Test
  void invalidTreeHasNoDesiredState() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal().file("environments/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: dev
        cluster: mian
        """).tree());

    assertThat(e.hasErrors()).isTrue();
    assertThat(e.blocked()).isTrue();
    assertThat(e.platform()).isEmpty();
    assertThat(e.desired()).isEmpty();
    assertThat(e.problems()).extracting(Diagnostic::code).containsExactly("dangling-reference");
  }

  @Test
  void renderErrorsAlsoMeanNoDesiredState() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal().file("services/checkout/env/dev.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Override
        autoscaling: {minReplicas: 3, maxReplicas: 1}
        """).tree());

    assertThat(e.platform()).isPresent();
    assertThat(e.desired()).isEmpty();
    assertThat(e.blocked()).isTrue();
    assertThat(e.findings()).isEmpty();
  }

  @Test
  void enforcedViolationBlocks() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal()
        .file("policies/no-latest.yaml", NO_LATEST.formatted("enforce"))
        .file("services/checkout/env/dev.yaml", LATEST_OVERRIDE).tree());

    assertThat(e.hasErrors()).isFalse();
    assertThat(e.desired()).isPresent();
    assertThat(e.violations()).hasSize(1);
    assertThat(e.blocked()).isTrue();
    assertThat(e.problems()).singleElement().satisfies(d -> {
      assertThat(d.severity()).isEqualTo(Severity.ERROR);
      assertThat(d.code()).isEqualTo("policy/disallowed-image-tags");
      assertThat(d.location().file()).isEqualTo("services/checkout/env/dev.yaml");
      assertThat(d.location().line()).isEqualTo(4);
    });
  }

  @Test
  void warnedViolationDoesNotBlock() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal()
        .file("policies/no-latest.yaml", NO_LATEST.formatted("warn"))
        .file("services/checkout/env/dev.yaml", LATEST_OVERRIDE).tree());

    assertThat(e.findings()).extracting(Finding::severity).containsExactly(Severity.WARNING);
    assertThat(e.violations()).isEmpty();
    assertThat(e.blocked()).isFalse();
  }

  @Test
  void warningDiagnosticsDoNotBlock() {
    Evaluation e = Evaluator.evaluate(Fixtures.minimal().file("services/checkout/notes.yaml", "a: 1\n").tree());

    assertThat(e.diagnostics()).extracting(Diagnostic::severity).containsExactly(Severity.WARNING);
    assertThat(e.blocked()).isFalse();
    assertThat(e.desired()).isPresent();
  }

  @Test
  void cacheEvaluatesACommitOnce() {
    EvaluationCache cache = new EvaluationCache(10, dev.paved.config.Workers.sequential());
    AtomicInteger reads = new AtomicInteger();

    Evaluation first = cache.get("abc", () -> {
      reads.incrementAndGet();
      return Fixtures.minimal().tree();
    });
    Evaluation second = cache.get("abc", () -> {
      reads.incrementAndGet();
      return Fixtures.minimal().tree();
    });

    assertThat(second).isSameAs(first);
    assertThat(reads).hasValue(1);
    assertThat(cache.hits()).isEqualTo(1);
  }
}
