package dev.paved.apply;

import dev.paved.config.Declarations.DriftMode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one target equal to git between syncs. It listens to the target's watch cache ({@link
 * InformerLiveState}); when an object of the desired state is added, changed or deleted, it
 * compares the desired object with the live one over the fields Paved declares ({@link
 * DriftDetector}): fields the apiserver defaulted and fields Paved does not declare
 * (e.g. {@code replicas} left to an HPA) are not drift, nor are the fields of the service's
 * {@code ignoreDifferences} ({@link IgnoreRules}).
 *
 * <ul>
 *   <li>{@link DriftMode#CORRECT}: the desired object is re-applied at once, forced (Paved takes
 *       its fields back); a deleted object is recreated. An object corrected more than {@code
 *       maxCorrectionsPerMinute} times in a minute (another controller fighting over a field) is
 *       only reported until the minute has passed.
 *   <li>{@link DriftMode#REPORT}: a {@link DriftReport} (fields, the field managers that changed
 *       them) is recorded; the cluster is not touched.
 * </ul>
 *
 * <p>An object whose {@code paved.dev/applied-hash} differs from the desired one has not been
 * applied at this commit yet: that is the pending sync's business, not drift.
 *
 * <p>Events are handled off the informer's thread, on the given executor, coalesced per object
 * ({@link LatestWins}): one check of an object runs at a time and at most one more waits, and a
 * check reads the latest cached state, so a burst of events costs at most two checks. <b>Call {@link #update} with a new
 * commit's state before syncing it</b>, so that the sync's own changes (and prunes) are not
 * taken for drift.
 */
public final class DriftWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DriftWatcher.class);

  /** Hooks for status and metrics; called on the executor's threads, must not block long. */
  public interface Listener {
    /** Drift was seen (in both modes; in correct mode, just before the correction). */
    default void drifted(DriftReport report) {}

    /** A correction was applied ({@code result.action()} is FAILED when the apiserver refused it). */
    default void corrected(DriftReport report, ChangeSet.Entry result) {}

    /** A drift recorded earlier is gone (corrected, or changed back by someone). */
    default void resolved(ObjectKey key) {}

    /**
     * Every check, after it is done: the live resourceVersion ({@code ""} when absent) and the
     * drifted fields (empty when none; ignored fields excluded).
     */
    default void checked(ObjectKey key, String resourceVersion, List<String> drifted) {}
  }

  /**
   * The desired state being watched. An object's prepared manifest (what an apply would send) is
   * made when the object is checked, not here: a new commit of 10,000 services swaps the snapshot
   * without copying and hashing 40,000 manifests, and no second copy of them is kept.
   */
  private record Snapshot(EnvironmentState state, Map<ObjectKey, DesiredObject> objects, DriftMode mode,
      IgnoreRules ignore) {

    static Snapshot of(EnvironmentState state, DriftMode mode, IgnoreRules ignore) {
      Map<ObjectKey, DesiredObject> objects = new HashMap<>();
      for (DesiredObject o : state.objects()) {
        objects.put(o.key(), o);
      }
      return new Snapshot(state, Map.copyOf(objects), mode, ignore);
    }
  }

  private final InformerLiveState cache;
  private final ResourceManager manager;
  private final Executor executor;
  private final Clock clock;
  private final ResourceManager.Options applyOptions = ResourceManager.Options.defaults();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<ObjectKey, DriftReport> drift = new ConcurrentHashMap<>();
  private final CorrectionLimit corrections;
  private final DriftDetector detector;
  private final InformerLiveState.Listener subscription = this::onChange;

  /** One check of an object at a time, newer requests coalesced. */
  private final Map<ObjectKey, LatestWins<ObjectKey>> checks = new ConcurrentHashMap<>();

  private volatile Snapshot snapshot;
  private volatile boolean closed;

  /**
   * A watcher of the target whose cache is {@code cache}; corrections go through {@code manager}
   * (field manager {@code paved}), checks run on {@code executor}, which must not be the executor
   * of {@code manager} (its applies wait for their own tasks on it).
   */
  public DriftWatcher(InformerLiveState cache, ResourceManager manager, Executor executor) {
    this(cache, manager, executor, Clock.systemUTC(), Labels.MANAGER, 30);
  }

  public DriftWatcher(InformerLiveState cache, ResourceManager manager, Executor executor, Clock clock,
      String fieldManager, int maxCorrectionsPerMinute) {
    this.cache = cache;
    this.manager = manager;
    this.executor = executor;
    this.clock = clock;
    this.corrections = new CorrectionLimit(clock, maxCorrectionsPerMinute);
    this.detector = new DriftDetector(cache, manager, fieldManager);
  }

  /**
   * Starts watching {@code state}'s objects (starting the informers of their kinds, waiting until
   * they are synced). Nothing is checked until an object changes; see {@link #checkAll()}.
   */
  public DriftWatcher start(EnvironmentState state, DriftMode mode, IgnoreRules ignore) {
    if (!state.environment().equals(cache.environment())) {
      throw new IllegalArgumentException("the cache watches environment " + cache.environment() + ", not "
          + state.environment());
    }
    snapshot = Snapshot.of(state, mode, ignore);
    cache.addListener(subscription);
    watch(snapshot);
    return this;
  }

  /** Swaps the desired state (a new commit), keeping the mode and ignore rules. */
  public void update(EnvironmentState state) {
    Snapshot s = current();
    update(state, s.mode(), s.ignore());
  }

  /**
   * Swaps the desired state, mode and ignore rules (a new commit). Call it before the commit is
   * synced. Recorded drift of objects no longer desired is dropped; the rest is checked again.
   */
  public void update(EnvironmentState state, DriftMode mode, IgnoreRules ignore) {
    Snapshot next = Snapshot.of(state, mode, ignore);
    snapshot = next;
    watch(next);
    checks.keySet().retainAll(next.objects().keySet());
    corrections.retain(next.objects().keySet());
    for (ObjectKey key : List.copyOf(drift.keySet())) {
      if (!next.objects().containsKey(key)) {
        resolve(key);
      } else {
        schedule(key);
      }
    }
  }

  /**
   * Starts the informers of the state's kinds. A kind that cannot be watched yet (typically a
   * custom resource whose CRD the coming sync creates) is watched when the sync first reads it.
   */
  private void watch(Snapshot s) {
    try {
      cache.watch(s.objects().keySet());
    } catch (KubernetesClientException e) {
      LOG.info("not every kind of {} can be watched yet: {}", s.state().environment(), e.getMessage());
    }
  }

  /** Checks every desired object (e.g. after a restart, to find what drifted meanwhile). */
  public void checkAll() {
    current().objects().keySet().forEach(this::schedule);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public String environment() {
    return cache.environment();
  }

  public DriftMode mode() {
    return current().mode();
  }

  /**
   * The drift now recorded, by object: in report mode every drifted object; in correct mode the
   * objects whose correction failed or was held back by the rate limit.
   */
  public Map<ObjectKey, DriftReport> drift() {
    return new TreeMap<>(drift);
  }

  @Override
  public void close() {
    closed = true;
    cache.removeListener(subscription);
    checks.values().forEach(LatestWins::close);
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (s == null) {
      throw new IllegalStateException("not started");
    }
    return s;
  }

  // ------------------------------------------------------------------ events, coalesced per object

  private void onChange(InformerLiveState.Change change, ObjectKey key, GenericKubernetesResource object) {
    Snapshot s = snapshot;
    if (closed || s == null || !s.objects().containsKey(key)) {
      return;
    }
    schedule(key);
  }

  private void schedule(ObjectKey key) {
    if (closed) {
      return;
    }
    checks.computeIfAbsent(key, k -> new LatestWins<>(executor, this::run)).submit(key).whenComplete((r, e) -> {
      if (e instanceof RejectedExecutionException && !closed) {
        LOG.warn("drift check of {} rejected by the executor: {}", key, e.getMessage());
      }
    });
  }

  private CompletableFuture<Void> run(ObjectKey key) {
    try {
      if (!closed) {
        check(key);
      }
    } catch (RuntimeException e) {
      LOG.warn("drift check of {} failed", key, e);
    }
    return CompletableFuture.completedFuture(null);
  }

  // ------------------------------------------------------------------ one check

  private void check(ObjectKey key) {
    Snapshot s = snapshot;
    DesiredObject desiredObject = s.objects().get(key);
    if (desiredObject == null) {
      resolve(key);
      return;
    }
    Optional<DriftDetector.Finding> found = detector.check(desiredObject, ResourceManager.prepared(desiredObject),
        s.ignore());
    if (found.isEmpty()) {
      return;
    }
    DriftDetector.Finding f = found.get();
    if (f.pending()) {
      notifyChecked(key, f.resourceVersion(), List.of());
      return;
    }
    if (f.fields().isEmpty()) {
      resolve(key);
      notifyChecked(key, f.resourceVersion(), f.fields());
      return;
    }
    act(s, desiredObject, new DriftReport(key, f.fields(), f.managers(), clock.instant()));
    notifyChecked(key, f.resourceVersion(), f.fields());
  }

  /** Corrects the drift (correct mode, within the rate limit) or records and reports it. */
  private void act(Snapshot s, DesiredObject desiredObject, DriftReport report) {
    ObjectKey key = report.key();
    DriftReport previous = drift.get(key);
    boolean repeated = previous != null && previous.fields().equals(report.fields())
        && previous.managers().equals(report.managers());
    if (s.mode() == DriftMode.CORRECT && corrections.allow(key)) {
      listeners.forEach(l -> l.drifted(report));
      LOG.info("drift in {}: {}; correcting", s.state().environment(), report);
      ChangeSet result = manager.apply(List.of(desiredObject), applyOptions.withIgnore(s.ignore()));
      ChangeSet.Entry entry = result.entries().isEmpty() ? new ChangeSet.Entry(key, Action.UNCHANGED, "")
          : result.entries().get(0);
      if (entry.action() == Action.FAILED) {
        LOG.warn("correcting {} failed: {}", key, entry.reason());
        drift.put(key, repeated ? previous : report);
      } else {
        drift.remove(key);
      }
      listeners.forEach(l -> l.corrected(report, entry));
    } else {
      if (s.mode() == DriftMode.CORRECT) {
        LOG.warn("{} corrected {} times within a minute: another controller changes it back; only reporting now",
            key, corrections.max());
      }
      if (!repeated) {
        drift.put(key, report);
        LOG.info("drift in {}: {}", s.state().environment(), report);
        listeners.forEach(l -> l.drifted(report));
      }
    }
  }

  private void resolve(ObjectKey key) {
    if (drift.remove(key) != null) {
      listeners.forEach(l -> l.resolved(key));
    }
  }

  private void notifyChecked(ObjectKey key, String rv, List<String> fields) {
    listeners.forEach(l -> l.checked(key, rv, fields));
  }
}
