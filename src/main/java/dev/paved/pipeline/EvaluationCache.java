package dev.paved.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.paved.config.Workers;
import dev.paved.source.ConfigTree;
import java.util.function.Supplier;

/**
 * Evaluations by commit id: a commit's content never changes, so its evaluation is computed
 * once. Bounded by count; only git revisions (full commit ids) should be cached.
 */
public final class EvaluationCache {

  private final Cache<String, Evaluation> cache;
  private final Workers workers;

  /** A cache of at most {@code maximumSize} evaluations, each computed on {@code workers}. */
  public EvaluationCache(long maximumSize, Workers workers) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    this.workers = workers;
  }

  /** The evaluation of {@code commitId}, reading its tree with {@code tree} only on a miss. */
  public Evaluation get(String commitId, Supplier<ConfigTree> tree) {
    return cache.get(commitId, id -> Evaluator.evaluate(tree.get(), workers));
  }

  /** The evaluation of {@code commitId} when it is cached, else null (never computes). */
  public Evaluation peek(String commitId) {
    return cache.getIfPresent(commitId);
  }

  public long hits() {
    return cache.stats().hitCount();
  }
}
