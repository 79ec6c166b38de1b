package dev.paved.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the daemon knows, as data: per repo, per target (environment on its cluster), and per
 * service × environment. Served as JSON by {@code GET /api/v1/status}; never holds a secret.
 */
public record DaemonStatus(boolean ready, List<Repo> repos, List<Target> targets, List<ServiceInEnvironment> services,
    List<Sink> notifications, Optional<Ha> ha) {

  public DaemonStatus {
    repos = List.copyOf(repos);
    targets = List.copyOf(targets);
    services = List.copyOf(services);
    notifications = List.copyOf(notifications);
    ha = ha == null ? Optional.empty() : ha;
  }

  public DaemonStatus(boolean ready, List<Repo> repos, List<Target> targets, List<ServiceInEnvironment> services,
      List<Sink> notifications) {
    this(ready, repos, targets, services, notifications, Optional.empty());
  }

  /**
   * With HA on: this replica ({@code replica}), the live ones, and which replica holds each
   * target's Lease ({@code holder} empty: nobody now). Each target in {@link #targets} says whose
   * knowledge it shows ({@link Target#ha}).
   */
  public record Ha(String replica, List<String> replicas, List<Holder> targets) {
    public Ha {
      replicas = List.copyOf(replicas);
      targets = List.copyOf(targets);
    }
  }

  /** Who holds a target's Lease; {@code here}: this replica. */
  public record Holder(String repo, String environment, String holder, boolean here) {}

  public DaemonStatus(boolean ready, List<Repo> repos, List<Target> targets, List<ServiceInEnvironment> services) {
    this(ready, repos, targets, services, List.of());
  }

  /** A notification sink: what it delivered, what failed or was dropped, its last error (never its URL). */
  public record Sink(String name, String type, long delivered, long failed, long dropped, long deduplicated,
      long rateLimited, int queued, Optional<String> lastError, Optional<Instant> lastErrorAt) {}

  /**
   * A followed config repo. {@code lastError}: the failing commit's problems, or a fetch error.
   * {@code headSignature}: the head commit's signature, when the repo verifies signatures.
   */
  public record Repo(String name, String url, String branch, Optional<String> headCommit,
      Optional<String> lastGoodCommit, Optional<Problem> lastError, Optional<Instant> lastFetch,
      Optional<Signature> headSignature) {

    public Repo(String name, String url, String branch, Optional<String> headCommit, Optional<String> lastGoodCommit,
        Optional<Problem> lastError, Optional<Instant> lastFetch) {
      this(name, url, branch, headCommit, lastGoodCommit, lastError, lastFetch, Optional.empty());
    }
  }

  /**
   * A commit's signature as the repo's {@code signatures} config judged it. {@code result}:
   * {@code trusted}, {@code untrusted}, {@code unsigned} or {@code bad}; {@code format}
   * {@code openpgp} or {@code ssh}; {@code signer} an OpenPGP user id or the SSH principals
   * (for an untrusted key, what the signature claims); {@code key} the key's fingerprint;
   * {@code held}: not applied because of it ({@code verify: enforce}).
   */
  public record Signature(String commit, String result, Optional<String> format, Optional<String> signer,
      Optional<String> key, String description, boolean held) {}

  /** Why a commit (or a fetch) was refused: one {@code file:line:col: severity: message} line each. */
  public record Problem(Optional<String> commit, String summary, List<String> details, Instant at) {
    public Problem {
      details = List.copyOf(details);
    }
  }

  /**
   * Sync states of a target. {@code UNKNOWN} (HA only): another replica holds the target and this
   * one has no report of its state ({@link HolderReport}), or not of this service's.
   */
  public enum SyncState { PENDING, SYNCING, SYNCED, PARTIAL, HELD, FAILED, UNKNOWN }

  /**
   * With HA on, who holds a target's Lease ({@code holder}; empty: nobody now) and whose knowledge
   * the target's fields are. {@code here}: this replica holds it, they are its own and current.
   * Else they are the report the holder (or the last one) wrote on the target's Lease: by {@code
   * reportedBy} at {@code reportedAt} ({@link HolderReport}), without drift or change counts (only
   * the holder watches the cluster); without a report both are empty and {@code sync} is
   * {@code UNKNOWN}.
   */
  public record Holding(String holder, boolean here, Optional<String> reportedBy, Optional<Instant> reportedAt) {

    /** Held by this replica, {@code self}. */
    public static Holding here(String self) {
      return new Holding(self, true, Optional.empty(), Optional.empty());
    }
  }

  /**
   * One target: an environment of a repo on its cluster. {@code hold}: why the target stays at
   * {@code appliedCommit} instead of moving to a newer commit (then {@code sync} is {@code HELD}).
   * {@code ha}: with HA on, who holds it and whose knowledge this is ({@link Holding}).
   */
  public record Target(String repo, String environment, String cluster, Optional<String> appliedCommit,
      SyncState sync, String health, String healthMessage, List<Drift> drift, Map<String, Long> changes,
      Optional<String> lastError, Optional<Instant> lastSync, Optional<Hold> hold, Optional<Holding> ha) {
    public Target {
      drift = List.copyOf(drift);
      changes = Map.copyOf(changes);
      ha = ha == null ? Optional.empty() : ha;
    }

    /** With HA off. */
    public Target(String repo, String environment, String cluster, Optional<String> appliedCommit, SyncState sync,
        String health, String healthMessage, List<Drift> drift, Map<String, Long> changes, Optional<String> lastError,
        Optional<Instant> lastSync, Optional<Hold> hold) {
      this(repo, environment, cluster, appliedCommit, sync, health, healthMessage, drift, changes, lastError, lastSync,
          hold, Optional.empty());
    }

    /** The same target, with who holds it. */
    public Target with(Holding h) {
      return new Target(repo, environment, cluster, appliedCommit, sync, health, healthMessage, drift, changes,
          lastError, lastSync, hold, Optional.of(h));
    }

    /** A target not held at its applied commit ({@code hold} empty), with HA off. */
    public Target(String repo, String environment, String cluster, Optional<String> appliedCommit, SyncState sync,
        String health, String healthMessage, List<Drift> drift, Map<String, Long> changes, Optional<String> lastError,
        Optional<Instant> lastSync) {
      this(repo, environment, cluster, appliedCommit, sync, health, healthMessage, drift, changes, lastError, lastSync,
          Optional.empty());
    }
  }

  /**
   * Why a target was not moved to {@code commit} ({@link HeadGate}): {@code reason} (e.g.
   * {@code HISTORY_REWRITTEN}), the commit kept ({@code appliedCommit}, as its inventory records
   * it), a sentence, and since when.
   */
  public record Hold(String reason, String commit, Optional<String> appliedCommit, String message, Instant since) {}

  /** A drifted object of a target. */
  public record Drift(String object, List<String> fields, List<String> managers, Instant at, boolean corrected) {}

  /**
   * One service in one environment: {@code version} is its workloads' {@code app.kubernetes.io/version}
   * (the image tag or digest); {@code lastChange} the newest commit that changed what is rendered
   * for it there, when known.
   */
  public record ServiceInEnvironment(String repo, String service, String environment, Optional<String> commit,
      SyncState sync, String health, String team, Optional<String> version, int drifted,
      Optional<LastChange> lastChange) {

    /** The same, with its last change known. */
    public ServiceInEnvironment withLastChange(Optional<LastChange> change) {
      return new ServiceInEnvironment(repo, service, environment, commit, sync, health, team, version, drifted, change);
    }
  }

  /** A commit that changed a service: who and when. */
  public record LastChange(String commit, String author, Instant at, String message) {}
}
