package dev.paved.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.paved.config.Workers;
import dev.paved.source.ConfigTree;
import java.util.function.Supplier;

/**
 * Evaluations by commit id: a commit's content never changes, so its evaluation is computed
 * once. Bounded by count, or by weight ({@link Evaluation#weight()}: about a KiB per desired
 * object and per file); only git revisions (full commit ids) should be cached.
 */
public final class EvaluationCache {

  private final Cache<String, Evaluation> cache;
  private final Workers workers;
  /** The evaluation computed last (kept even when evicted: the base of the next one). */
  private volatile Evaluation last;

  /** A cache of at most {@code maximumSize} evaluations, each computed on {@code workers}. */
  public EvaluationCache(long maximumSize, Workers workers) {
    this(Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build(), workers);
  }

  private EvaluationCache(Cache<String, Evaluation> cache, Workers workers) {
    this.cache = cache;
    this.workers = workers;
  }

  /**
   * A cache holding evaluations up to a total {@link Evaluation#weight()} of {@code maximumWeight}
   * (least recently used first out), each computed on {@code workers}. Successive commits share
   * most of their objects (incremental evaluation), so the weight overstates what several hold.
   */
  public static EvaluationCache byWeight(long maximumWeight, Workers workers) {
    return new EvaluationCache(Caffeine.newBuilder().maximumWeight(maximumWeight)
        .<String, Evaluation>weigher((id, e) -> e.weight()).recordStats().build(), workers);
  }

  /**
   * The evaluation of {@code commitId}, reading its tree with {@code tree} only on a miss and then
   * evaluating it incrementally from the evaluation this cache computed last (the commits of one
   * repo share most of their files; the result is the same as from scratch).
   */
  public Evaluation get(String commitId, Supplier<ConfigTree> tree) {
    return get(commitId, tree, last);
  }

  /**
   * The evaluation of {@code commitId}, reading its tree with {@code tree} only on a miss and then
   * evaluating it incrementally from {@code base} (an evaluation of another commit of the same
   * repo; null: from scratch, see {@link Evaluator#evaluate(ConfigTree, Evaluation, Workers)}).
   */
  public Evaluation get(String commitId, Supplier<ConfigTree> tree, Evaluation base) {
    Evaluation l = last;
    if (l != null && l.revision().equals(commitId)) {
      return l; // held even when heavier than the whole cache (a large repo's evaluation)
    }
    return cache.get(commitId, id -> {
      Evaluation e = Evaluator.evaluate(tree.get(), base, workers);
      last = e;
      return e;
    });
  }

  /** The evaluation of {@code commitId} when it is cached, else null (never computes). */
  public Evaluation peek(String commitId) {
    Evaluation l = last;
    return l != null && l.revision().equals(commitId) ? l : cache.getIfPresent(commitId);
  }

  public long hits() {
    return cache.stats().hitCount();
  }
}
