package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import java.time.Instant;
import java.util.List;

/**
 * One object that differs from git over the fields Paved declares: which fields (JSON pointers;
 * {@code "/"} when the object was deleted), which managers changed them (their field managers,
 * e.g. {@code kubectl-edit}; empty when unknown) and when Paved saw it.
 */
public record DriftReport(ObjectKey key, List<String> fields, List<String> managers, Instant at) {

  public DriftReport {
    fields = List.copyOf(fields);
    managers = List.copyOf(managers);
  }

  /** True when the drift is the object's deletion. */
  public boolean deleted() {
    return fields.equals(List.of("/"));
  }

  @Override
  public String toString() {
    return key + (deleted() ? " deleted" : " drifted at " + String.join(", ", fields))
        + (managers.isEmpty() ? "" : " by " + String.join(", ", managers));
  }
}
