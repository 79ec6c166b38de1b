package dev.paved.plan;

import dev.paved.desired.DesiredObject;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.ObjectKey;
import dev.paved.policy.Images;
import dev.paved.source.CommitInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Which commits changed which services' <em>rendered</em> objects, per environment: the
 * changelog of a service. A commit that only touches a service's files without changing what
 * is rendered (a comment, a reordered key) is not a change; a commit to an environment or a
 * policy that changes every service's objects is one for each of them.
 */
public final class ServiceHistory {

  /** What happened to a service in an environment. */
  public enum Change { ADDED, CHANGED, REMOVED }

  /** One service in one environment changed by a commit: the objects and the images before and after. */
  public record ServiceChange(String service, String environment, Change change, List<String> objects,
      SortedSet<String> imagesBefore, SortedSet<String> imagesAfter) {
    public ServiceChange {
      objects = List.copyOf(objects);
      imagesBefore = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(imagesBefore));
      imagesAfter = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(imagesAfter));
    }

    /** Whether the images differ (a rollout of a new version). */
    public boolean imageChanged() {
      return !imagesBefore.equals(imagesAfter);
    }
  }

  /** A commit and what it changed. */
  public record Entry(CommitInfo commit, List<ServiceChange> changes) {
    public Entry {
      changes = List.copyOf(changes);
    }
  }

  private final Planner planner;
  private final Predicate<String> service;
  private final Predicate<String> environment;

  /** A history restricted to the services and environments the predicates accept. */
  public ServiceHistory(Redactor redactor, Predicate<String> service, Predicate<String> environment) {
    this.planner = new Planner(redactor);
    this.service = service;
    this.environment = environment;
  }

  /**
   * What changed from {@code before} to {@code after}, per (environment, service), sorted by
   * environment then service. Objects not of a service (namespaces) are not counted. Each object
   * is compared once; an object that is the same but for its commit annotation (what successive
   * evaluations share) is recognised without copying it.
   */
  public List<ServiceChange> changes(DesiredState before, DesiredState after) {
    java.util.Set<String> envs = new java.util.TreeSet<>(before.environments().keySet());
    envs.addAll(after.environments().keySet());
    List<ServiceChange> out = new ArrayList<>();
    for (String env : envs) {
      if (!environment.test(env)) {
        continue;
      }
      Map<String, Map<ObjectKey, DesiredObject>> old = byService(before.environments().get(env));
      Map<String, Map<ObjectKey, DesiredObject>> now = byService(after.environments().get(env));
      java.util.Set<String> services = new java.util.TreeSet<>(old.keySet());
      services.addAll(now.keySet());
      for (String svc : services) {
        Map<ObjectKey, DesiredObject> b = old.getOrDefault(svc, Map.of());
        Map<ObjectKey, DesiredObject> a = now.getOrDefault(svc, Map.of());
        java.util.Set<ObjectKey> keys = new java.util.TreeSet<>(b.keySet());
        keys.addAll(a.keySet());
        List<String> changed = new ArrayList<>();
        for (ObjectKey key : keys) {
          if (planner.change(key, b.get(key), a.get(key)).isPresent()) {
            changed.add(key.toString());
          }
        }
        if (!changed.isEmpty()) {
          Change change = b.isEmpty() ? Change.ADDED : a.isEmpty() ? Change.REMOVED : Change.CHANGED;
          out.add(new ServiceChange(svc, env, change, changed, Images.of(List.copyOf(b.values())),
              Images.of(List.copyOf(a.values()))));
        }
      }
    }
    return out;
  }

  /** The objects of {@code state} (null: none) of each service the filter accepts, in apply order. */
  private Map<String, Map<ObjectKey, DesiredObject>> byService(EnvironmentState state) {
    Map<String, Map<ObjectKey, DesiredObject>> out = new java.util.HashMap<>();
    if (state != null) {
      for (DesiredObject o : state.objects()) {
        if (o.service() != null && service.test(o.service())) {
          out.computeIfAbsent(o.service(), k -> new java.util.LinkedHashMap<>()).put(o.key(), o);
        }
      }
    }
    return out;
  }

  /**
   * What {@link #walk} learnt, for the next walk over an overlapping list of commits (the daemon
   * walks the last commits again at each new head): which commits validate, and the changes
   * between two commits. Each new commit then costs one comparison with the commit before it, not
   * one per commit of the list. Bounded (the oldest forgotten first); safe to share between
   * threads. Keep one per (history filters, repo).
   */
  public static final class Memo {
    private final Map<String, Boolean> valid;
    private final Map<String, List<ServiceChange>> changes;
    /** The state of the newest commit walked: what the next head is compared with. */
    private volatile DesiredState newest;

    /** A memo of at most {@code size} commits and as many comparisons. */
    public Memo(int size) {
      valid = bounded(size);
      changes = bounded(size);
    }

    private static <V> Map<String, V> bounded(int size) {
      return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
          return size() > size;
        }
      });
    }
  }

  /**
   * The history over {@code commits} (newest first, as {@code git log} lists them, each to be
   * compared with the commit before it): {@code desired} gives a commit's desired state, or
   * empty when it does not validate (such a commit is never applied, so it changes nothing and
   * the next good commit is compared with the last good one). The oldest commit is compared
   * with its parent ({@link CommitInfo#parent()}), or with nothing for a root commit. Returns
   * the commits that changed something, newest first.
   */
  public List<Entry> walk(List<CommitInfo> commits, java.util.function.Function<String, Optional<DesiredState>> desired) {
    return walk(commits, desired, new Memo(2 * commits.size() + 2));
  }

  /**
   * {@link #walk(List, java.util.function.Function)}, asking {@code desired} only for what {@code
   * memo} does not know yet, and teaching it what it learns. The result is the same.
   */
  public List<Entry> walk(List<CommitInfo> commits, java.util.function.Function<String, Optional<DesiredState>> desired,
      Memo memo) {
    List<Entry> out = new ArrayList<>();
    if (commits.isEmpty()) {
      return out;
    }
    // A side of a comparison: a commit that validates, or "" for nothing (a root's parent, or a
    // parent that does not validate: everything of the oldest commit is then new). Each commit's
    // state is asked for at most once per walk (a large repo's evaluation may not stay cached).
    Map<String, Optional<DesiredState>> asked = new java.util.HashMap<>();
    DesiredState known = memo.newest;
    if (known != null) {
      asked.put(known.revision(), Optional.of(known));
    }
    java.util.function.Function<String, Optional<DesiredState>> state = id -> asked.computeIfAbsent(id, desired);
    java.util.function.Predicate<String> validates = id -> memo.valid.computeIfAbsent(id,
        k -> state.apply(k).isPresent());
    String base = commits.get(commits.size() - 1).parent();
    String last = base == null || !validates.test(base) ? "" : base;
    for (int i = commits.size() - 1; i >= 0; i--) {
      CommitInfo commit = commits.get(i);
      if (!validates.test(commit.id())) {
        continue;
      }
      String from = last;
      List<ServiceChange> changes = memo.changes.computeIfAbsent(from + ".." + commit.id(),
          k -> changes(from.isEmpty() ? new DesiredState("", Map.of()) : state.apply(from).orElseThrow(),
              state.apply(commit.id()).orElseThrow()));
      if (!changes.isEmpty()) {
        out.add(new Entry(commit, changes));
      }
      last = commit.id();
      // only the commit the next one is compared with, and the newest of the last walk (the new head's base)
      String keep = last;
      asked.keySet().removeIf(id -> !id.equals(keep) && (known == null || !id.equals(known.revision())));
    }
    if (!last.isEmpty()) {
      String newest = last;
      state.apply(newest).ifPresent(d -> memo.newest = d);
    }
    java.util.Collections.reverse(out);
    return out;
  }

}
