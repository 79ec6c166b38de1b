package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.Manifests;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
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

  private record Memo(String desired, Set<String> ignored, String resourceVersion) {}

  /** A desired manifest found unchanged live at {@code resourceVersion}, with {@code ignored} fields kept live. */
  private record Settled(ObjectNode desired, Set<String> ignored, String resourceVersion) {}

  private final KubernetesClient client;
  private final String fieldManager;
  private final String repo;
  private final LiveState live;
  private final DirectLiveState direct;
  private final Discovery discovery;
  private final ExecutorService executor;
  private final Writers writers;
  private final java.util.concurrent.atomic.AtomicBoolean teamRoleEnsured = new java.util.concurrent.atomic.AtomicBoolean();
  private final Map<ObjectKey, Memo> unchangedAt = new ConcurrentHashMap<>();
  /**
   * Objects last found unchanged: applying the same desired manifest (but for its commit) again
   * while the live object keeps its resourceVersion is known to change nothing, without preparing,
   * comparing or converting anything. A sync after a one-service commit touches that service's
   * objects only. Holds the evaluation's own manifests (no copy).
   */
  private final Map<ObjectKey, Settled> settled = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong dryRuns = new AtomicLong();

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
    this.direct = live instanceof DirectLiveState d ? d : new DirectLiveState(client);
    this.discovery = new Discovery(client);
    this.executor = executor;
    this.writers = new Writers(client);
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
    return writes.get();
  }

  /** Server-side dry-run requests sent so far. */
  public long dryRuns() {
    return dryRuns.get();
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
    return new ChangeSet(inParallel(objects, options.concurrency(), o -> {
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
   * Runs {@code work} over {@code items} on the executor, at most {@code concurrency} at a
   * time, as a queue (a slow object does not hold back a whole batch); results in input order.
   */
  private <T, R> List<R> inParallel(List<T> items, int concurrency, java.util.function.Function<T, R> work) {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReferenceArray<R> results = new java.util.concurrent.atomic.AtomicReferenceArray<>(items.size());
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(Math.max(1, concurrency), items.size()); w++) {
      workers.add(CompletableFuture.runAsync(() -> {
        for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
          results.set(i, work.apply(items.get(i)));
        }
      }, executor));
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
    List<R> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(results.get(i));
    }
    return out;
  }

  /**
   * The manifest Paved applies: the desired one plus {@code paved.dev/applied-hash}, a hash of
   * its content. A field removed from git leaves the live object a superset of the desired
   * one; the changed hash is what tells that an apply (which removes the field) is due.
   */
  public static ObjectNode prepared(DesiredObject o) {
    ObjectNode m = o.copy();
    String hash = sha256(Comparison.withoutVolatile(m).toString());
    ((ObjectNode) m.get("metadata")).with("annotations").put(Labels.APPLIED_HASH, hash);
    return m;
  }

  private static String sha256(String text) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@link #diff} of each object, in parallel on the executor (at most {@code concurrency} at a
   * time), in the order given, for a plan: a creation is dry-run too, so that what the apiserver
   * would refuse is FAILED with its reason (unless it only lacks a namespace or a definition
   * that {@code objects} create first).
   */
  public List<ObjectDiff> diffAll(List<DesiredObject> objects, int concurrency, IgnoreRules ignore) {
    Set<String> created = new java.util.HashSet<>();
    for (DesiredObject o : objects) {
      if (o.key().kind().equals("Namespace")) {
        created.add("Namespace/" + o.key().name());
      } else if (o.key().kind().equals("CustomResourceDefinition")) {
        JsonNode spec = o.manifest().path("spec");
        created.add(spec.path("group").asText() + "/" + spec.path("names").path("kind").asText());
      }
    }
    return inParallel(objects, concurrency, o -> {
      try {
        ObjectDiff d = diff(o, ignore.ignored(o));
        return d.action() == Action.CREATED ? confirmCreation(d, created) : d;
      } catch (RuntimeException e) {
        return new ObjectDiff(o.key(), Action.FAILED, null, null, String.valueOf(e.getMessage()));
      }
    });
  }

  /** {@code d} (a creation), or FAILED when a server-side dry run of it is refused. */
  private ObjectDiff confirmCreation(ObjectDiff d, Set<String> createdFirst) {
    try {
      dryRuns.incrementAndGet();
      target(d.manifest()).dryRun().fieldManager(fieldManager).forceConflicts().serverSideApply();
      return d;
    } catch (KubernetesClientException e) {
      boolean waitsForTheApply = e.getCode() == 404 && (createdFirst.contains("Namespace/" + d.key().namespace())
          || createdFirst.contains(d.key().group() + "/" + d.key().kind()));
      return waitsForTheApply ? d : new ObjectDiff(d.key(), Action.FAILED, null, null, reason(e), d.manifest());
    }
  }

  /** What applying {@code o} would do, computed without writing anything. */
  public ObjectDiff diff(DesiredObject o) {
    return diff(o, Set.of());
  }

  /** What applying {@code o} with {@code ignored} fields kept as they are live would do. */
  public ObjectDiff diff(DesiredObject o, Set<String> ignored) {
    Optional<JsonNode> current;
    try {
      Optional<String> scope = discovery.mismatch(o.key());
      if (scope.isPresent()) {
        return new ObjectDiff(o.key(), Action.FAILED, null, null, scope.get());
      }
      current = live.get(o.key());
      if (current.isEmpty() && live instanceof InformerLiveState) {
        // A watch cache only sees objects with Paved's labels: one that exists without them
        // must not be taken for absent (and silently taken over).
        current = direct.get(o.key());
      }
    } catch (KubernetesClientException e) {
      return new ObjectDiff(o.key(), Action.FAILED, null, null, reason(e));
    }
    return diff(o, ignored, current.orElse(null));
  }

  /**
   * What applying {@code o} to {@code liveObject} (null: absent) would do, {@code ignored}
   * fields kept as they are live: unchanged with no request when the live object holds every
   * declared field; otherwise a server-side dry run decides (its verdict "unchanged" remembered
   * per object and resourceVersion). This is what tells a real change from a value the
   * apiserver only stores in another form (an empty list dropped, a quantity rewritten).
   */
  public ObjectDiff diff(DesiredObject o, Set<String> ignored, JsonNode liveObject) {
    ObjectKey key = o.key();
    ObjectNode prepared = prepared(o);
    Owner owner = owner(prepared);
    owner.stamp(prepared);
    if (liveObject == null) {
      return new ObjectDiff(key, Action.CREATED, null, prepared, "", prepared);
    }
    ObjectNode manifest = IgnoreRules.keepLive(prepared, ignored, liveObject);
    Owner.Admission admission = owner.admit(manifest, liveObject);
    if (admission.verdict() == Owner.Verdict.CONFLICT) {
      return new ObjectDiff(key, Action.CONFLICT, liveObject, null, admission.reason(), manifest);
    }
    ObjectDiff d = changed(key, manifest, ignored, liveObject);
    return admission.verdict() == Owner.Verdict.ADOPTED && d.action() != Action.FAILED
        ? new ObjectDiff(key, Action.ADOPTED, d.live(), d.after(), "", manifest) : d;
  }

  /** Whether applying {@code manifest} changes {@code liveObject}: UNCHANGED, CONFIGURED (or FAILED). */
  private ObjectDiff changed(ObjectKey key, ObjectNode manifest, Set<String> ignored, JsonNode liveObject) {
    try {
      if (Comparison.holds(manifest, liveObject)) {
        return new ObjectDiff(key, Action.UNCHANGED, liveObject, liveObject, "", manifest);
      }
      String desired = manifest.path("metadata").path("annotations").path(Labels.APPLIED_HASH).asText();
      String rv = liveObject.path("metadata").path("resourceVersion").asText();
      Memo memo = new Memo(desired, Set.copyOf(ignored), rv);
      if (memo.equals(unchangedAt.get(key))) {
        return new ObjectDiff(key, Action.UNCHANGED, liveObject, liveObject, "", manifest);
      }
      dryRuns.incrementAndGet();
      GenericKubernetesResource after = target(manifest).dryRun()
          .fieldManager(fieldManager).forceConflicts().serverSideApply();
      JsonNode afterTree = Manifests.toTree(after);
      if (Comparison.sameContent(Comparison.withoutVolatile(afterTree), Comparison.withoutVolatile(liveObject))) {
        unchangedAt.put(key, memo);
        return new ObjectDiff(key, Action.UNCHANGED, liveObject, afterTree, "", manifest);
      }
      return new ObjectDiff(key, Action.CONFIGURED, liveObject, afterTree, "", manifest);
    } catch (KubernetesClientException e) {
      return new ObjectDiff(key, Action.FAILED, null, null, reason(e), manifest);
    }
  }

  private ChangeSet.Entry write(ObjectKey key, ObjectNode manifest, Action action, Writers.Writer writer) {
    try {
      writes.incrementAndGet();
      Optional<String> path = writer.requests().path(key);
      if (path.isPresent()) {
        writer.requests().apply(path.get(), manifest, fieldManager);
      } else {
        target(writer.client(), manifest).fieldManager(fieldManager).forceConflicts().serverSideApply();
      }
      unchangedAt.remove(key);
      LOG.debug("{} {}", key, action.label());
      return new ChangeSet.Entry(key, action, "");
    } catch (KubernetesClientException e) {
      LOG.warn("{} failed: {}", key, reason(e));
      return new ChangeSet.Entry(key, Action.FAILED, reason(e));
    }
  }

  /**
   * Deletes objects, but only those that carry Paved's ownership mark for {@code environment}
   * (labels {@code app.kubernetes.io/managed-by=paved} and {@code paved.dev/environment}).
   * Anything else is skipped: Paved never deletes what is not its own.
   */
  public ChangeSet delete(List<ObjectKey> keys, String environment, boolean dryRun) {
    List<ChangeSet.Entry> entries = new ArrayList<>();
    for (ObjectKey key : keys) {
      try {
        Optional<JsonNode> current = live.get(key);
        if (current.isEmpty() && live instanceof InformerLiveState) {
          // A watch cache only sees objects with Paved's labels: ask the apiserver whether the
          // object is really gone or only lost its ownership mark.
          current = direct.get(key);
        }
        if (current.isEmpty()) {
          entries.add(new ChangeSet.Entry(key, Action.SKIPPED, "already gone"));
          continue;
        }
        Owner owner = new Owner(repo, environment);
        if (!owner.owns(current.get())) {
          entries.add(new ChangeSet.Entry(key, Action.SKIPPED, "not owned by Paved for repo \"" + repo
              + "\", environment \"" + environment + "\" (" + owner.otherClaim(current.get())
                  .map(c -> "it belongs to " + c).orElse("no ownership labels") + "); left alone"));
          continue;
        }
        if (!dryRun) {
          writes.incrementAndGet();
          var op = client.genericKubernetesResources(key.apiVersion(), key.kind());
          (key.namespace() == null ? op.withName(key.name()) : op.inNamespace(key.namespace()).withName(key.name()))
              .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
          unchangedAt.remove(key);
          settled.remove(key);
        }
        entries.add(new ChangeSet.Entry(key, Action.DELETED, ""));
      } catch (KubernetesClientException e) {
        entries.add(new ChangeSet.Entry(key, Action.FAILED, reason(e)));
      }
    }
    return new ChangeSet(entries);
  }

  private void waitForDefinitions(List<DesiredObject> first, Duration timeout) {
    for (DesiredObject o : first) {
      if (!o.key().kind().equals("CustomResourceDefinition")) {
        continue;
      }
      try {
        client.apiextensions().v1().customResourceDefinitions().withName(o.key().name()).waitUntilCondition(
            crd -> crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
            timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (KubernetesClientException | IllegalStateException e) {
        LOG.warn("CRD {} not established within {}: {}", o.key().name(), timeout, e.getMessage());
      }
    }
  }

  /**
   * The object addressed in its own namespace. Fabric8's {@code client.resource(item)} puts the
   * item in the client's namespace when one was set on the client ({@code inNamespace}),
   * silently ignoring the item's own: every object is addressed explicitly.
   */
  private io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> target(JsonNode manifest) {
    return target(client, manifest);
  }

  private static io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> target(KubernetesClient client,
      JsonNode manifest) {
    GenericKubernetesResource g = generic(manifest);
    var resource = client.resource(g);
    String ns = g.getMetadata() == null ? null : g.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? resource : resource.inNamespace(ns);
  }

  static GenericKubernetesResource generic(JsonNode manifest) {
    return Manifests.toTyped(manifest, GenericKubernetesResource.class);
  }


  /** The apiserver's own message, which names the field and the problem. */
  static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
