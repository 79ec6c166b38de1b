package dev.paved.pipeline;

import dev.paved.config.ConfigLoader;
import dev.paved.config.Platform;
import dev.paved.desired.Pieces;
import dev.paved.policy.Finding;
import java.util.List;

/**
 * What an {@link Evaluation} keeps for the next evaluation to reuse ({@link
 * Evaluator#evaluate(dev.paved.source.ConfigTree, Evaluation, dev.paved.config.Workers)}): what was
 * read from each file, and the newest valid platform with its rendered pieces and, when its
 * policies ran, its findings (carried over a commit that does not load). Opaque outside the
 * pipeline; immutable; shares its parts with the evaluations before and after it.
 */
public final class Memo {

  /** A valid platform and what was computed from it; {@code findings} null when policies did not run. */
  record Basis(Platform platform, Pieces pieces, List<Finding> findings) {}

  private final ConfigLoader.Reads reads;
  private final Basis basis;
  private final int weight;

  /** {@code weight}: what the evaluation holds that it does not share with the one it came from. */
  Memo(ConfigLoader.Reads reads, Basis basis, int weight) {
    this.reads = reads;
    this.basis = basis;
    this.weight = weight;
  }

  int weight() {
    return weight;
  }

  ConfigLoader.Reads reads() {
    return reads;
  }

  /** The newest valid platform and its pieces, or null. */
  Basis basis() {
    return basis;
  }

  @Override
  public String toString() {
    return "Memo[" + reads.size() + " files, " + (basis == null ? "no platform" : basis.pieces().size() + " pairs")
        + "]";
  }
}
