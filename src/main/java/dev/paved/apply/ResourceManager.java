package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies desired objects to one cluster with server-side apply, minimally: an object whose
 * live state already holds what Paved declares is not written (its resourceVersion does not
 * change). The apiserver computes every merge; Paved keeps no merge logic of its own.
 *
 * <p>For each object: (0) if it was found unchanged before, is the same now (but for its commit)
 * and its live resourceVersion has not moved, it is unchanged with nothing read or compared;
 * (1) if the live object holds every declared field, it is unchanged with
 * no request; (2) otherwise a server-side dry-run apply tells whether a real apply would change
 * anything (remembered per object and resourceVersion, so a no-op reconcile stays request-free);
 * (3) only then is it applied, forced, with field manager {@code paved}.
 *
 * <p>No silent takeovers: an object that already exists is applied only when it carries the
 * ownership mark of this repo and its environment ({@link Owner}), or when git marks it for
 * adoption ({@code paved.dev/adopt: "true"}, reported {@link Action#ADOPTED}); otherwise it is a
 * {@link Action#CONFLICT} naming its field managers, and nothing is written for it. A watch cache
 * only holds objects with Paved's labels: when it has no object, the apiserver is asked before
 * creating one.
 *
 * <p>Each team's objects are written as the team ({@link #actAs}: {@code Impersonate-User} and
 * {@code Impersonate-Group}, one client per identity), so Kubernetes RBAC refuses what the
 * platform did not grant even if Paved's own checks were wrong; the environment's own objects
 * (namespaces, RoleBindings) are written as Paved, before the teams' objects. Reads, server-side
 * dry-runs and prunes (only of what the inventory lists and carries this target's mark) are
 * Paved's own.
 *
 * <p>This class stages and runs the applies; its parts: {@link ObjectDiffer} decides what applying
 * one object would do (steps 1 and 2, and ownership), {@link Pruner} deletes, {@link
 * ServerSideApply} builds the requests, {@link Writers} says as whom they are sent.
 */
public final class ResourceManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceManager.class);

  /**
   * Objects applied at once by default. More requests in flight make each one cheaper for the
   * apiserver and etcd (they batch) and for the HTTP/2 connection: a cold sync of 1,000 services
   * took ~10 s at 8, ~8 s at 16, ~7.6 s at 32 and ~8.4 s at 64 (CONTRIBUTING.md, engine
   * benchmark). kubectl applies one at a time; Argo CD's default is 20.
   */
  public static final int DEFAULT_CONCURRENCY = 32;

  /** Options of an apply; {@code ignore}: fields kept as they are live ({@link IgnoreRules#keepLive}). */
  public record Options(int concurrency, boolean dryRun, Duration definitionsTimeout, IgnoreRules ignore) {
    public Options(int concurrency, boolean dryRun, Duration definitionsTimeout) {
      this(concurrency, dryRun, definitionsTimeout, IgnoreRules.none());
    }

    public static Options defaults() {
      return new Options(DEFAULT_CONCURRENCY, false, Duration.ofSeconds(30));
    }

    public Options withDryRun(boolean dryRun) {
      return new Options(concurrency, dryRun, definitionsTimeout, ignore);
    }

    public Options withIgnore(IgnoreRules ignore) {
      return new Options(concurrency, dryRun, definitionsTimeout, ignore);
    }
  }

  /**
   * What a server-side dry-run says an apply would do, with the live and would-be objects, and
   * the manifest that would be applied (ignored fields kept as they are live).
   */
  public record ObjectDiff(ObjectKey key, Action action, JsonNode live, JsonNode after, String reason,
      ObjectNode manifest) {
    ObjectDiff(ObjectKey key, Action action, JsonNode live, JsonNode after, String reason) {
      this(key, action, live, after, reason, null);
    }
  }

  /** A desired manifest found unchanged live at {@code resourceVersion}, with {@code ignored} fields kept live. */
  private record Settled(ObjectNode desired, Set<String> ignored, String resourceVersion) {}

  private final KubernetesClient client;
  private final String fieldManager;
  private final String repo;
  private final LiveState live;
  private final Discovery discovery;
  private final ExecutorService executor;
  private final Writers writers;
  private final ObjectDiffer differ;
  private final Pruner pruner;
  private final AtomicBoolean teamRoleEnsured = new AtomicBoolean();
  /**
   * Objects last found unchanged: applying the same desired manifest (but for its commit) again
   * while the live object keeps its resourceVersion is known to change nothing, without preparing,
   * comparing or converting anything. A sync after a one-service commit touches that service's
   * objects only. Holds the evaluation's own manifests (no copy).
   */
  private final Map<ObjectKey, Settled> settled = new ConcurrentHashMap<>();
  /** Apply requests sent so far. */
  private final AtomicLong writes = new AtomicLong();

  /** A manager for the objects of config repo {@link Owner#DEFAULT_REPO}. */
  public ResourceManager(KubernetesClient client, String fieldManager, LiveState live, ExecutorService executor) {
    this(client, fieldManager, Owner.DEFAULT_REPO, live, executor);
  }

  /**
   * A manager for the objects of config repo {@code repo} (a DNS label: the daemon's repo name,
   * or the id the config repo declares): each object's owner is this repo and the environment
   * its {@code paved.dev/environment} label names.
   */
  public ResourceManager(KubernetesClient client, String fieldManager, String repo, LiveState live,
      ExecutorService executor) {
    this.client = client;
    this.fieldManager = fieldManager;
    this.repo = Owner.requireRepoId(repo);
    this.live = live;
    this.discovery = new Discovery(client);
    this.executor = executor;
    this.writers = new Writers(client);
    LiveReads reads = new LiveReads(live, client);
    this.differ = new ObjectDiffer(client, fieldManager, reads, discovery, this::owner);
    this.pruner = new Pruner(client, this.repo, reads, key -> {
      differ.forget(key);
      settled.remove(key);
    });
  }

  public KubernetesClient client() {
    return client;
  }

  /**
   * Whom to act as for each team's objects from now on (team → identity, as the commit being
   * applied says: {@link dev.paved.desired.EnvironmentState#identities}).
   */
  public void actAs(Map<String, Identity> identities) {
    writers.actAs(identities);
  }

  /** Closes the clients of the identities acted as (not the client given). */
  @Override
  public void close() {
    writers.close();
  }

  /** What the cluster's API discovery says about kinds' scopes. */
  public Discovery discovery() {
    return discovery;
  }

  /** The repo this manager applies for. */
  public String repo() {
    return repo;
  }

  /** The owner of {@code manifest}: this repo and the environment the manifest is labelled with. */
  public Owner owner(JsonNode manifest) {
    return new Owner(repo, manifest.path("metadata").path("labels").path(Labels.ENVIRONMENT).asText());
  }

  /** Write requests sent so far (applies and deletes). */
  public long writes() {
    return writes.get() + pruner.deletes();
  }

  /** Server-side dry-run requests sent so far. */
  public long dryRuns() {
    return differ.dryRuns();
  }

  /**
   * Applies in stages: the ClusterRoles and ClusterRoleBindings granting teams their
   * cluster-scoped kinds first (then waits until the authorizer grants them: a team's own CRDs and
   * Namespaces come next), Namespaces and CRDs (then waits for CRDs to be established), then the
   * environment's other objects (RoleBindings: then waits until the authorizer grants them), then
   * the teams' objects; each stage in parallel, at most {@code options.concurrency()} at a time.
   * One failing object does not stop the others.
   */
  public ChangeSet apply(List<DesiredObject> objects, Options options) {
    List<DesiredObject> grants = objects.stream().filter(o -> o.service() == null && TeamRole.grantsClusterKinds(o))
        .toList();
    List<DesiredObject> first = objects.stream().filter(o -> o.key().isClusterDefinition()).toList();
    List<DesiredObject> platform = objects.stream()
        .filter(o -> !o.key().isClusterDefinition() && o.service() == null && !TeamRole.grantsClusterKinds(o)).toList();
    List<DesiredObject> teams = objects.stream()
        .filter(o -> !o.key().isClusterDefinition() && o.service() != null).toList();
    ChangeSet stage0 = applyAll(grants, options);
    if (!options.dryRun()) {
      TeamRole.awaitGranted(client, grants, stage0, writers.identities(), options.definitionsTimeout());
    }
    ChangeSet stage1 = applyAll(first, options);
    if (!options.dryRun()) {
      waitForDefinitions(first, options.definitionsTimeout());
    }
    List<DesiredObject> bindings = platform.stream().filter(TeamRole::binds).toList();
    if (!options.dryRun() && !bindings.isEmpty() && !teamRoleEnsured.get()) {
      teamRoleEnsured.set(TeamRole.ensure(client, fieldManager));
    }
    ChangeSet stage2 = applyAll(platform, options);
    if (!options.dryRun()) {
      TeamRole.awaitGranted(client, platform, stage2, writers.identities(), options.definitionsTimeout());
    }
    return stage0.plus(stage1).plus(stage2).plus(applyAll(teams, options));
  }

  private ChangeSet applyAll(List<DesiredObject> objects, Options options) {
    return new ChangeSet(Parallel.map(objects, options.concurrency(), executor, o -> {
      try {
        Set<String> ignored = options.ignore().ignored(o);
        if (!options.dryRun() && stillSettled(o, ignored)) {
          return new ChangeSet.Entry(o.key(), Action.UNCHANGED, "");
        }
        ObjectDiff d = diff(o, ignored);
        if (d.action() == Action.UNCHANGED && d.live() != null) {
          settled.put(o.key(), new Settled(o.manifest(), Set.copyOf(ignored),
              d.live().path("metadata").path("resourceVersion").asText("")));
        } else {
          settled.remove(o.key());
        }
        if (options.dryRun() || d.action() == Action.UNCHANGED || d.action() == Action.FAILED
            || d.action() == Action.CONFLICT) {
          return new ChangeSet.Entry(o.key(), d.action(), d.reason());
        }
        return write(o.key(), d.manifest(), d.action(), writers.writer(writers.identityOf(o)));
      } catch (RuntimeException e) {
        // One object's unexpected failure (e.g. a manifest the client cannot serialize) must
        // not abort the others, nor the sync.
        LOG.warn("{} failed unexpectedly", o.key(), e);
        return new ChangeSet.Entry(o.key(), Action.FAILED, String.valueOf(e.getMessage()));
      }
    }));
  }

  /** Whether {@code o} was found unchanged as it is now (but for its commit) and its live object has not moved since. */
  private boolean stillSettled(DesiredObject o, Set<String> ignored) {
    Settled s = settled.get(o.key());
    if (s == null || !s.ignored().equals(ignored) || !Comparison.sameDesired(s.desired(), o.manifest())) {
      return false;
    }
    try {
      return live.resourceVersion(o.key()).map(s.resourceVersion()::equals).orElse(false);
    } catch (KubernetesClientException e) {
      return false; // the slow path says what is wrong
    }
  }

  /**
   * The manifest Paved applies: the desired one plus {@code paved.dev/applied-hash}, a hash of
   * its content. A field removed from git leaves the live object a superset of the desired
   * one; the changed hash is what tells that an apply (which removes the field) is due.
   */
  public static ObjectNode prepared(DesiredObject o) {
    return ServerSideApply.prepared(o);
  }

  /**
   * {@link #diff} of each object, in parallel on the executor (at most {@code concurrency} at a
   * time), in the order given, for a plan: a creation is dry-run too, so that what the apiserver
   * would refuse is FAILED with its reason (unless it only lacks a namespace or a definition
   * that {@code objects} create first).
   */
  public List<ObjectDiff> diffAll(List<DesiredObject> objects, int concurrency, IgnoreRules ignore) {
    return differ.diffAll(objects, concurrency, ignore, executor);
  }

  /** What applying {@code o} would do, computed without writing anything. */
  public ObjectDiff diff(DesiredObject o) {
    return diff(o, Set.of());
  }

  /** What applying {@code o} with {@code ignored} fields kept as they are live would do. */
  public ObjectDiff diff(DesiredObject o, Set<String> ignored) {
    return differ.diff(o, ignored);
  }

  /**
   * What applying {@code o} to {@code liveObject} (null: absent) would do, {@code ignored}
   * fields kept as they are live: unchanged with no request when the live object holds every
   * declared field; otherwise a server-side dry run decides (its verdict "unchanged" remembered
   * per object and resourceVersion). This is what tells a real change from a value the
   * apiserver only stores in another form (an empty list dropped, a quantity rewritten).
   */
  public ObjectDiff diff(DesiredObject o, Set<String> ignored, JsonNode liveObject) {
    return differ.diff(o, ignored, liveObject);
  }

  private ChangeSet.Entry write(ObjectKey key, ObjectNode manifest, Action action, Writers.Writer writer) {
    try {
      writes.incrementAndGet();
      ServerSideApply.apply(writer, key, manifest, fieldManager);
      differ.forget(key);
      LOG.debug("{} {}", key, action.label());
      return new ChangeSet.Entry(key, action, "");
    } catch (KubernetesClientException e) {
      LOG.warn("{} failed: {}", key, ServerSideApply.reason(e));
      return new ChangeSet.Entry(key, Action.FAILED, ServerSideApply.reason(e));
    }
  }

  /**
   * Deletes objects, but only those that carry Paved's ownership mark for {@code environment}
   * (labels {@code app.kubernetes.io/managed-by=paved} and {@code paved.dev/environment}).
   * Anything else is skipped: Paved never deletes what is not its own.
   */
  public ChangeSet delete(List<ObjectKey> keys, String environment, boolean dryRun) {
    return pruner.delete(keys, environment, dryRun);
  }

  private void waitForDefinitions(List<DesiredObject> first, Duration timeout) {
    for (DesiredObject o : first) {
      if (!o.key().kind().equals("CustomResourceDefinition")) {
        continue;
      }
      try {
        client.apiextensions().v1().customResourceDefinitions().withName(o.key().name()).waitUntilCondition(
            // a status without conditions yet (just created) is not established: asked again
            crd -> crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
            timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (KubernetesClientException | IllegalStateException e) {
        LOG.warn("CRD {} not established within {}: {}", o.key().name(), timeout, e.getMessage());
      }
    }
  }
}
