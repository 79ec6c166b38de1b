package dev.paved.plan;

import dev.paved.desired.DesiredObject;
import dev.paved.desired.DesiredState;
import dev.paved.desired.EnvironmentState;
import dev.paved.plan.Plan.ObjectChange;
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
   * environment then service. Objects not of a service (namespaces) are not counted.
   */
  public List<ServiceChange> changes(DesiredState before, DesiredState after) {
    DesiredState b = filter(before);
    DesiredState a = filter(after);
    Map<String, Map<String, List<ObjectChange>>> byEnv = new TreeMap<>();
    for (Plan.EnvironmentPlan env : planner.between(b, List.of(), a, List.of()).environments()) {
      for (ObjectChange c : env.changes()) {
        byEnv.computeIfAbsent(env.environment(), k -> new TreeMap<>())
            .computeIfAbsent(c.service(), k -> new ArrayList<>()).add(c);
      }
    }
    List<ServiceChange> out = new ArrayList<>();
    byEnv.forEach((env, services) -> services.forEach((svc, objectChanges) -> {
      List<DesiredObject> old = objectsOf(b, env, svc);
      List<DesiredObject> now = objectsOf(a, env, svc);
      Change change = old.isEmpty() ? Change.ADDED : now.isEmpty() ? Change.REMOVED : Change.CHANGED;
      out.add(new ServiceChange(svc, env, change, objectChanges.stream().map(c -> c.key().toString()).toList(),
          Images.of(old), Images.of(now)));
    }));
    return out;
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
    List<Entry> out = new ArrayList<>();
    if (commits.isEmpty()) {
      return out;
    }
    String base = commits.get(commits.size() - 1).parent();
    DesiredState last = base == null ? new DesiredState("", Map.of())
        : desired.apply(base).orElse(new DesiredState(base, Map.of()));
    for (int i = commits.size() - 1; i >= 0; i--) {
      CommitInfo commit = commits.get(i);
      Optional<DesiredState> now = desired.apply(commit.id());
      if (now.isEmpty()) {
        continue;
      }
      List<ServiceChange> changes = changes(last, now.get());
      if (!changes.isEmpty()) {
        out.add(new Entry(commit, changes));
      }
      last = now.get();
    }
    java.util.Collections.reverse(out);
    return out;
  }

  private DesiredState filter(DesiredState state) {
    Map<String, EnvironmentState> envs = new TreeMap<>();
    state.environments().forEach((name, env) -> {
      if (environment.test(name)) {
        envs.put(name, new EnvironmentState(env.environment(), env.tier(), env.cluster(), env.objects().stream()
            .filter(o -> o.service() != null && service.test(o.service())).toList()));
      }
    });
    return new DesiredState(state.revision(), envs);
  }

  private static List<DesiredObject> objectsOf(DesiredState state, String env, String svc) {
    return Optional.ofNullable(state.environments().get(env)).map(e -> e.ofService(svc)).orElse(List.of());
  }
}
