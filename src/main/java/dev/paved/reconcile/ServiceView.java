package dev.paved.reconcile;

import dev.paved.reconcile.DaemonStatus.Drift;
import dev.paved.reconcile.DaemonStatus.SyncState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One service as its page on the dashboard shows it ({@code GET /api/v1/services/{name}}): per
 * environment the applied commit, sync, health and version, each object's health, the drift of
 * its objects and the policy findings of the newest commit; and its history (which commits
 * changed what is rendered for it, and when each was applied where, with what outcome).
 */
public record ServiceView(String service, String team, String repo, List<Environment> environments,
    List<Change> history) {

  public ServiceView {
    environments = List.copyOf(environments);
    history = List.copyOf(history);
  }

  /**
   * The service in one environment. {@code ha}: with HA on, who holds the target; on a replica
   * that does not hold it, the state is its holder's report ({@link DaemonStatus.Holding}), and
   * the objects' health and the drift are known by the holder only (empty here).
   */
  public record Environment(String environment, String cluster, Optional<String> appliedCommit, SyncState sync,
      String health, String version, List<ObjectHealth> objects, List<Drift> drift, List<Finding> findings,
      Optional<DaemonStatus.Holding> ha) {
    public Environment {
      objects = List.copyOf(objects);
      drift = List.copyOf(drift);
      findings = List.copyOf(findings);
      ha = ha == null ? Optional.empty() : ha;
    }

    /** With HA off. */
    public Environment(String environment, String cluster, Optional<String> appliedCommit, SyncState sync,
        String health, String version, List<ObjectHealth> objects, List<Drift> drift, List<Finding> findings) {
      this(environment, cluster, appliedCommit, sync, health, version, objects, drift, findings, Optional.empty());
    }
  }

  /** An object of the service and its health. */
  public record ObjectHealth(String object, String health, String message) {}

  /** A policy finding of the newest commit on the service: {@code location} is {@code file:line:col}. */
  public record Finding(String severity, String policy, String location, String message) {}

  /** A commit that changed the service's rendered objects, and where and how it was applied. */
  public record Change(String commit, String author, Instant time, String message, List<EnvironmentChange> changes,
      List<ApplyHistory.Applied> applied) {
    public Change {
      changes = List.copyOf(changes);
      applied = List.copyOf(applied);
    }
  }

  /** What the commit changed in one environment: added, changed, removed; images before and after. */
  public record EnvironmentChange(String environment, String change, List<String> objects, List<String> imagesBefore,
      List<String> imagesAfter) {}
}
