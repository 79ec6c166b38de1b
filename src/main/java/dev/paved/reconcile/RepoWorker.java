package dev.paved.reconcile;

import dev.paved.apply.LatestWins;
import dev.paved.config.Diagnostic;
import dev.paved.pipeline.Evaluation;
import dev.paved.pipeline.EvaluationCache;
import dev.paved.secret.Scrubber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One followed repo: its fetch slot, mirror, evaluations, signature checks, history and the
 * operator's acceptance of a rewrite; each good commit goes to the repo's {@link RepoTargets}, and
 * reverts (the API's, automatic rollbacks) are its {@link RepoReverts}'.
 */
final class RepoWorker {
  private static final Logger LOG = LoggerFactory.getLogger(RepoWorker.class);

  /**
   * The evaluations kept per repo, by {@link Evaluation#weight()}: about 2.4 KiB of heap per unit
   * (measured: 10,000 services in one environment, the first evaluation ~60,000 units and 140 MiB;
   * each one-service commit ~6,700 units and 17 MiB that it does not share with the one before,
   * the commit annotation restamped on every object), so about 100 MiB at most. A 1,000-service
   * repo keeps the first evaluation and some fifty commits; a 10,000-service repo keeps none but
   * the newest, which the cache holds apart from this budget (the base of the next evaluation), and
   * the history keeps the state of the commit it compares the next one with: no commit is
   * evaluated twice. An evicted commit asked for again (a revert, a restart's history) is
   * evaluated again incrementally.
   */
  static final long EVALUATION_WEIGHT = 40_000;

  private final DaemonContext context;
  final DaemonConfig.Repo repo;
  private final LatestWins<Boolean> fetches;
  private final EvaluationCache evaluations;
  /** The recent history of the repo's services, recomputed after each new good commit. */
  final RepoHistory history = new RepoHistory();
  private final RepoTargets targets;
  /** Holds a commit that rewrites the history of what a target has; knows the operator's acceptance. */
  private final HistoryCheck historyCheck;
  private final Object lock = new Object();
  private RepoSource source;
  private final SignatureGate signatures;
  private final RepoReverts reverts;
  /** The head's signature verdict, when the repo verifies signatures. */
  private volatile SignatureGate.Verdict signature;
  /** The head commit held for its signature: checked again at each fetch (a key may have been added). */
  private volatile String signatureHeld;

  private volatile boolean loaded;
  private volatile String head;
  private volatile String evaluated;
  private volatile DaemonStatus.Problem fetchError;
  private volatile DaemonStatus.Problem commitError;
  private volatile Instant lastFetch;

  RepoWorker(DaemonContext context, DaemonConfig.Repo repo) {
    this.context = context;
    this.evaluations = EvaluationCache.byWeight(EVALUATION_WEIGHT, context.evaluation);
    this.repo = repo;
    this.historyCheck = new HistoryCheck(repo.allowHistoryRewrite(), (a, c) -> source().isAncestor(a, c),
        context.metrics);
    this.signatures = new SignatureGate(repo, context.config.stateDir());
    this.reverts = new RepoReverts(context, repo, this::source, signatures, this::refresh);
    // What every move of the repo's targets passes first.
    this.targets = new RepoTargets(context, repo, reverts::rollBack, HeadGate.of(historyCheck));
    this.fetches = new LatestWins<>(context.git, force -> context.withRetries("fetch of repo " + repo.name(),
        this::fetchAndEvaluate, context.git, fetchesPending()));
  }

  private java.util.function.BooleanSupplier fetchesPending() {
    return () -> fetches.hasPending();
  }

  boolean loaded() {
    return loaded;
  }

  List<TargetWorker> targets() {
    return targets.list();
  }

  /** Reconciles the newest good commit again on every target (the full resync). */
  void resync() {
    targets.resync();
  }

  CompletionStage<Void> refresh() {
    return fetches.submit(Boolean.TRUE);
  }

  /** Fetches, and evaluates and schedules a moved head; throws when the remote cannot be reached. */
  private Void fetchAndEvaluate() {
    if (!context.enter()) {
      throw new CancellationException("daemon closed");
    }
    MDC.put("repo", repo.name());
    try {
      String commit;
      try {
        commit = source().fetch();
      } catch (Exception e) {
        context.metrics.fetchError(repo.name());
        String summary = "cannot fetch branch " + repo.branch() + " of " + repo.displayUrl() + ": " + DaemonContext.message(e);
        DaemonStatus.Problem previous = fetchError;
        fetchError = new DaemonStatus.Problem(Optional.empty(), summary, List.of(), context.clock.instant());
        if (previous != null && previous.summary().equals(summary)) {
          LOG.debug("fetch of repo {} failed again: {}", repo.name(), DaemonContext.message(e)); // said once is enough
        } else {
          LOG.warn("fetch of repo {} failed (retrying with backoff): {}", repo.name(), DaemonContext.message(e));
        }
        throw new CompletionException(e);
      }
      lastFetch = context.clock.instant();
      fetchError = null;
      head = commit;
      historyCheck.headMoved(commit);
      if (!commit.equals(evaluated) || commit.equals(signatureHeld)) {
        evaluate(commit);
      }
      loaded = true;
      return null;
    } finally {
      MDC.remove("repo");
      context.exit();
    }
  }

  private RepoSource source() throws Exception {
    synchronized (lock) {
      if (source == null) {
        source = context.sources.open(repo, context.config.stateDir());
      }
      return source;
    }
  }

  /** The evaluation of {@code commit}, from the cache or read from the mirror. */
  private Evaluation evaluation(String commit) {
    return evaluations.get(commit, () -> {
      try {
        return source().read(commit);
      } catch (Exception ex) {
        throw new CompletionException(ex);
      }
    });
  }

  private void evaluate(String commit) {
    MDC.put("commit", commit);
    try {
      if (!admitted(commit)) {
        evaluated = commit;
        return;
      }
      Evaluation e = evaluation(commit);
      evaluated = commit;
      context.metrics.violations(repo.name(), e.violations().size());
      if (e.blocked()) {
        List<String> lines = e.problems().stream().filter(Diagnostic::isError).map(Diagnostic::toString).toList();
        long errors = e.diagnostics().stream().filter(Diagnostic::isError).count();
        long violations = e.violations().size();
        String summary = "commit " + DaemonContext.shortId(commit) + " was not applied: "
            + (errors > 0 ? errors + (errors == 1 ? " error" : " errors") : "")
            + (errors > 0 && violations > 0 ? ", " : "")
            + (violations > 0 ? violations + " enforced policy " + (violations == 1 ? "violation" : "violations")
                : "")
            + targets.lastGood().map(g -> "; " + DaemonContext.shortId(g.revision()) + " stays applied")
                .orElse("; nothing applied yet");
        commitError = new DaemonStatus.Problem(Optional.of(commit), summary, lines, context.clock.instant());
        LOG.warn("{}:\n  {}", summary, String.join("\n  ", lines));
        context.emit(DaemonEvent.Type.COMMIT_REFUSED, DaemonEvent.Severity.ERROR, repo.name(), null, null, null, commit,
            summary, lines);
        return;
      }
      commitError = null;
      LOG.info("commit {} of repo {} is good; reconciling its targets", DaemonContext.shortId(commit), repo.name());
      targets.reconcile(e);
      updateHistory(commit);
    } finally {
      MDC.remove("commit");
    }
  }

  /**
   * Whether {@code commit}'s signature lets it be applied ({@code signatures.verify}): off, warn
   * (reported, applied) or enforce (held like a commit with errors: nothing of it is evaluated or
   * applied, the status names the commit and its signer or "unsigned"). Said once per verdict.
   */
  private boolean admitted(String commit) {
    if (!signatures.on()) {
      return true;
    }
    SignatureGate.Verdict v;
    try {
      v = signatures.check(source(), commit);
    } catch (Exception e) {
      v = new SignatureGate.Verdict(new dev.paved.source.CommitSignature.Bad(commit, "unknown",
          "cannot be verified: " + DaemonContext.message(e)), false, signatures.enforce());
    }
    SignatureGate.Verdict previous = signature;
    boolean news = previous == null || !previous.signature().commit().equals(commit)
        || !previous.result().equals(v.result()) || previous.hold() != v.hold();
    if (news) {
      context.metrics.commitSignature(repo.name(), v.result());
    }
    if (v.hold()) {
      signatureHeld = commit;
      String summary = "commit " + DaemonContext.shortId(commit) + " was not applied: " + v.describe()
          + " (signatures.verify: enforce)" + targets.lastGood().map(g -> "; " + DaemonContext.shortId(g.revision())
              + " stays applied").orElse("; nothing applied yet");
      commitError = new DaemonStatus.Problem(Optional.of(commit), summary, List.of(), context.clock.instant());
      signature = v; // after the error, so the status never shows this verdict with an older error
      if (news) {
        LOG.warn("{}", summary);
        context.emit(DaemonEvent.Type.COMMIT_REFUSED, DaemonEvent.Severity.ERROR, repo.name(), null, null, null, commit,
            summary, List.of());
      }
      return false;
    }
    signatureHeld = null;
    signature = v;
    if (news && !v.signature().trusted() && !v.ownRevert()) {
      LOG.warn("commit {} of repo {} is {}; applying it anyway (signatures.verify: warn)", DaemonContext.shortId(commit),
          repo.name(), v.describe());
    } else if (news) {
      LOG.info("commit {} of repo {}: {}", DaemonContext.shortId(commit), repo.name(), v.describe());
    }
    return true;
  }

  private void updateHistory(String commit) {
    try {
      context.git.execute(() -> {
        if (!context.enter()) {
          return;
        }
        try {
          history.update(commit, source(), c -> evaluation(c).desired());
        } catch (Exception e) {
          LOG.debug("history of repo {} not updated: {}", repo.name(), DaemonContext.message(e));
        } finally {
          context.exit();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** The newest good evaluation, if any. */
  Optional<Evaluation> lastGood() {
    return targets.lastGood();
  }

  /** The evaluation of the newest commit evaluated (good or refused), if any. */
  Optional<Evaluation> newest() {
    String e = evaluated;
    return e == null ? Optional.empty() : Optional.ofNullable(evaluations.peek(e)).or(this::lastGood);
  }

  /**
   * An operator accepts {@code commit} (the branch's head or the last good commit, as the status
   * shows them; a prefix of at least 7 digits) although it does not descend from what a target
   * has: the targets held at it are asked again, and apply it. The acceptance ends when the head
   * moves. Refused (nothing accepted) when the commit is neither.
   */
  CompletionStage<DaemonApi.AcceptOutcome> acceptHead(String commit, String actor) {
    return CompletableFuture.supplyAsync(() -> {
      if (!context.enter()) {
        throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "the daemon is stopping");
      }
      try {
        String h = head;
        Evaluation good = targets.lastGood().orElse(null);
        if (h == null) {
          throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "repo " + repo.name() + " has not been fetched yet");
        }
        String full = h.startsWith(commit) ? h : good != null && good.revision().startsWith(commit) ? good.revision()
            : null;
        if (full == null) {
          throw new DaemonFailure(DaemonFailure.Kind.CONFLICT, "commit " + commit + " is neither the head ("
              + DaemonContext.shortId(h) + ") nor the last good commit (" + (good == null ? "none"
                  : DaemonContext.shortId(good.revision())) + ") of repo " + repo.name()
              + "; nothing accepted (the branch may have moved: check GET /api/v1/status)");
        }
        List<String> held = targets.list().stream().filter(t -> t.view().target().hold()
            .filter(x -> x.commit().equals(full)).isPresent()).map(TargetWorker::environment).toList();
        historyCheck.accept(full, h, actor);
        LOG.warn("repo {}: {} accepted commit {} although it may rewrite history; held targets asked again: {}",
            repo.name(), actor, DaemonContext.shortId(full), held.isEmpty() ? "none" : String.join(", ", held));
        targets.resync();
        return new DaemonApi.AcceptOutcome(repo.name(), full, held);
      } finally {
        context.exit();
      }
    }, context.git);
  }

  /** Another replica holds {@code environment} now (HA): this one stops watching it. */
  void standDown(String environment) {
    targets.list().stream().filter(t -> t.environment().equals(environment)).forEach(TargetWorker::standDown);
  }

  /** Reverts a commit of the repo on the operator's request ({@link RepoReverts}). */
  CompletionStage<DaemonApi.RevertOutcome> revert(DaemonApi.RevertRequest request) {
    return reverts.revert(request);
  }

  /** The webhook secret, read from its file, if one is configured; unreadable is a failure, never "none". */
  Optional<String> webhookSecret() {
    Optional<Path> file = repo.webhookSecretFile();
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String secret = Scrubber.register(Files.readString(file.get(), StandardCharsets.UTF_8).strip());
      if (secret.isEmpty()) {
        throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "the webhook secret file of repo \"" + repo.name()
            + "\" is empty");
      }
      return Optional.of(secret);
    } catch (IOException e) {
      // Configured but unreadable: never "no secret", which would accept unsigned requests.
      throw new DaemonFailure(DaemonFailure.Kind.UNAVAILABLE, "cannot read the webhook secret file of repo \""
          + repo.name() + "\": " + e.getMessage(), e);
    }
  }

  DaemonStatus.Repo status() {
    DaemonStatus.Problem error = fetchError != null ? fetchError : commitError;
    return new DaemonStatus.Repo(repo.name(), repo.displayUrl(), repo.branch(), Optional.ofNullable(head),
        targets.lastGood().map(Evaluation::revision), Optional.ofNullable(error),
        Optional.ofNullable(lastFetch), Optional.ofNullable(signature).map(SignatureGate.Verdict::status));
  }

  void stopAccepting() {
    fetches.close();
    targets.stopAccepting();
  }

  void close() {
    targets.close();
    synchronized (lock) {
      if (source != null) {
        source.close();
      }
    }
  }
}
