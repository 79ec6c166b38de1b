package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * Comparison#differences}): fields the apiserver defaulted and fields Paved does not declare
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
 * <p>Events are handled off the informer's thread, on the given executor, coalesced per object:
 * at most one check of an object is queued and one runs at a time, and a check reads the latest
 * cached state, so a burst of events costs one check. <b>Call {@link #update} with a new
 * commit's state before syncing it</b>, so that the sync's own changes (and prunes) are not
 * taken for drift.
 */
public final class DriftWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DriftWatcher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private record Snapshot(EnvironmentState state, Map<ObjectKey, DesiredObject> objects,
      Map<ObjectKey, ObjectNode> prepared, DriftMode mode, IgnoreRules ignore) {

    static Snapshot of(EnvironmentState state, DriftMode mode, IgnoreRules ignore) {
      Map<ObjectKey, DesiredObject> objects = new HashMap<>();
      Map<ObjectKey, ObjectNode> prepared = new HashMap<>();
      for (DesiredObject o : state.objects()) {
        objects.put(o.key(), o);
        prepared.put(o.key(), ResourceManager.prepared(o));
      }
      return new Snapshot(state, Map.copyOf(objects), Map.copyOf(prepared), mode, ignore);
    }
  }

  private final InformerLiveState cache;
  private final ResourceManager manager;
  private final Executor executor;
  private final Clock clock;
  private final String fieldManager;
  private final int maxCorrectionsPerMinute;
  private final ResourceManager.Options applyOptions = ResourceManager.Options.defaults();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<ObjectKey, DriftReport> drift = new ConcurrentHashMap<>();
  private final Map<ObjectKey, Deque<Instant>> corrections = new ConcurrentHashMap<>();
  private final InformerLiveState.Listener subscription = this::onChange;

  private final Object lock = new Object();
  private final Set<ObjectKey> queued = new HashSet<>();
  private final Set<ObjectKey> running = new HashSet<>();
  private final Set<ObjectKey> dirty = new HashSet<>();

  private volatile Snapshot snapshot;
  private volatile boolean closed;

  /**
   * A watcher of the target whose cache is {@code cache}; corrections go through {@code manager}
   * (field manager {@code paved}), checks run on {@code executor}.
   */
  /**
   * {@code executor} runs the checks; it must not be the executor of {@code manager}, whose
   * applies wait for their own tasks on it.
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
    this.fieldManager = fieldManager;
    this.maxCorrectionsPerMinute = maxCorrectionsPerMinute;
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
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (running.contains(key)) {
        dirty.add(key); // checked again once the running check ends
        return;
      }
      if (!queued.add(key)) {
        return; // already queued: that check will read the latest state
      }
    }
    submit(key);
  }

  private void submit(ObjectKey key) {
    try {
      executor.execute(() -> run(key));
    } catch (RejectedExecutionException e) {
      synchronized (lock) {
        queued.remove(key);
      }
      LOG.warn("drift check of {} rejected by the executor: {}", key, e.getMessage());
    }
  }

  private void run(ObjectKey key) {
    synchronized (lock) {
      queued.remove(key);
      running.add(key);
    }
    try {
      if (!closed) {
        check(key);
      }
    } catch (RuntimeException e) {
      LOG.warn("drift check of {} failed", key, e);
    } finally {
      boolean again;
      synchronized (lock) {
        running.remove(key);
        again = dirty.remove(key) && !closed && queued.add(key);
      }
      if (again) {
        submit(key);
      }
    }
  }

  // ------------------------------------------------------------------ one check

  private void check(ObjectKey key) {
    Snapshot s = snapshot;
    DesiredObject desiredObject = s.objects().get(key);
    if (desiredObject == null) {
      resolve(key);
      return;
    }
    JsonNode live;
    try {
      live = cache.get(key).orElse(null);
      if (live == null) {
        // Absent from the cache: deleted, or no longer carrying Paved's labels (which the
        // selector needs): only the apiserver can tell.
        live = direct(key).orElse(null);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read {} to check it for drift: {}", key, e.getMessage());
      return;
    }
    ObjectNode desired = s.prepared().get(key);
    String rv = live == null ? "" : live.path("metadata").path("resourceVersion").asText();
    List<String> fields;
    if (live == null) {
      fields = List.of("/");
    } else {
      String applied = live.path("metadata").path("annotations").path(Labels.APPLIED_HASH).asText();
      String wanted = desired.path("metadata").path("annotations").path(Labels.APPLIED_HASH).asText();
      if (!applied.isEmpty() && !applied.equals(wanted)) {
        // Applied from another commit: the sync of this one has not reached it yet.
        notifyChecked(key, rv, List.of());
        return;
      }
      Set<String> ignored = s.ignore().ignored(desiredObject);
      fields = confirmed(desiredObject, ignored, live, IgnoreRules.without(Comparison.differences(desired, live),
          ignored));
    }
    if (fields.isEmpty()) {
      resolve(key);
      notifyChecked(key, rv, fields);
      return;
    }
    DriftReport report = new DriftReport(key, fields, live == null ? List.of() : managers(live, fields, fieldManager),
        clock.instant());
    DriftReport previous = drift.get(key);
    boolean repeated = previous != null && previous.fields().equals(report.fields())
        && previous.managers().equals(report.managers());
    if (s.mode() == DriftMode.CORRECT && allowCorrection(key)) {
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
            key, maxCorrectionsPerMinute);
      }
      if (!repeated) {
        drift.put(key, report);
        LOG.info("drift in {}: {}", s.state().environment(), report);
        listeners.forEach(l -> l.drifted(report));
      }
    }
    notifyChecked(key, rv, fields);
  }

  /**
   * The local differences {@code fields} that a server-side dry run of git's object confirms:
   * none when applying it would change nothing (the apiserver only stores a value in another
   * form, e.g. an empty list dropped); all of them when the apiserver refuses the dry run.
   */
  private List<String> confirmed(DesiredObject desired, Set<String> ignored, JsonNode live, List<String> fields) {
    if (fields.isEmpty()) {
      return fields;
    }
    ResourceManager.ObjectDiff d = manager.diff(desired, ignored, live);
    return switch (d.action()) {
      case UNCHANGED -> List.of();
      case CONFIGURED -> {
        List<String> changed = fields.stream().filter(p -> !Comparison.sameAt(d.after(), live, p)).toList();
        yield changed.isEmpty() ? fields : changed;
      }
      default -> fields;
    };
  }

  private Optional<JsonNode> direct(ObjectKey key) {
    var op = manager.client().genericKubernetesResources(key.apiVersion(), key.kind());
    GenericKubernetesResource live = key.namespace() == null ? op.withName(key.name()).get()
        : op.inNamespace(key.namespace()).withName(key.name()).get();
    return Optional.ofNullable(live).map(Manifests::toTree);
  }

  private boolean allowCorrection(ObjectKey key) {
    Instant now = clock.instant();
    Deque<Instant> times = corrections.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(Duration.ofMinutes(1)))) {
        times.pollFirst();
      }
      if (times.size() >= maxCorrectionsPerMinute) {
        return false;
      }
      times.addLast(now);
      return true;
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

  // ------------------------------------------------------------------ who changed it

  /**
   * The field managers other than {@code self} that own one of {@code pointers} (or a field
   * below one) in {@code live}'s managedFields; when none does (e.g. a field was removed, which
   * leaves no owner), the non-{@code self} manager of the most recent {@code Update} (status
   * writers excepted). Empty when unknown: a manager whose change only removed fields owns
   * nothing, and the apiserver drops it from managedFields.
   */
  static List<String> managers(JsonNode live, List<String> pointers, String self) {
    Set<String> out = new LinkedHashSet<>();
    String latestTime = "";
    String latest = null;
    for (JsonNode entry : live.path("metadata").path("managedFields")) {
      String manager = entry.path("manager").asText();
      if (manager.isEmpty() || manager.equals(self)) {
        continue;
      }
      JsonNode fields = entry.path("fieldsV1");
      if (pointers.stream().anyMatch(p -> owns(fields, live, p))) {
        out.add(manager);
      }
      String time = entry.path("time").asText();
      if ("Update".equals(entry.path("operation").asText()) && !"status".equals(entry.path("subresource").asText())
          && time.compareTo(latestTime) >= 0) {
        latestTime = time;
        latest = manager;
      }
    }
    if (out.isEmpty() && latest != null) {
      out.add(latest);
    }
    return List.copyOf(out);
  }

  /** Whether the managed-fields set {@code fields} holds the field at {@code pointer} or one below it. */
  static boolean owns(JsonNode fields, JsonNode live, String pointer) {
    if (pointer.equals("/") || pointer.isEmpty() || !fields.isObject()) {
      return false;
    }
    JsonNode f = fields;
    JsonNode l = live;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (f == null || !f.isObject()) {
        return false;
      }
      if (f.isEmpty() && f != fields) {
        return true; // owns the whole value above this point
      }
      if (l != null && l.isArray()) {
        int index;
        try {
          index = Integer.parseInt(token);
        } catch (NumberFormatException e) {
          return false;
        }
        JsonNode element = l.get(index);
        String k = listKey(f, element, index);
        if (k == null) {
          return false;
        }
        f = f.get(k);
        l = element;
      } else {
        f = f.get("f:" + token);
        l = l == null ? null : l.get(token);
      }
    }
    return f != null;
  }

  /** The managed-fields key of a list element: {@code k:{...}}, {@code v:...} or {@code i:n}. */
  private static String listKey(JsonNode f, JsonNode element, int index) {
    for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      try {
        if (name.startsWith("k:") && element != null && element.isObject()) {
          JsonNode k = JSON.readTree(name.substring(2));
          boolean all = true;
          for (Iterator<Map.Entry<String, JsonNode>> e = k.fields(); e.hasNext(); ) {
            Map.Entry<String, JsonNode> kv = e.next();
            JsonNode v = element.get(kv.getKey());
            all &= v != null && v.asText().equals(kv.getValue().asText());
          }
          if (all) {
            return name;
          }
        } else if (name.startsWith("v:") && element != null) {
          JsonNode v = JSON.readTree(name.substring(2));
          if (v.equals(element) || (v.isValueNode() && v.asText().equals(element.asText()))) {
            return name;
          }
        } else if (name.equals("i:" + index)) {
          return name;
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // not a key this element can match
      }
    }
    return null;
  }
}
