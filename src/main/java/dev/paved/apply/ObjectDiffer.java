package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.ResourceManager.ObjectDiff;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What applying one object would do, computed without writing anything: its kind's scope checked
 * against {@link Discovery}, the live object read ({@link LiveReads}), admitted by ownership
 * ({@link Owner}: a conflict writes nothing), then compared ({@link Comparison}) and, only when
 * the comparison cannot tell, confirmed by a server-side dry run. A dry run's verdict "unchanged"
 * is remembered per object, desired manifest, ignored fields and live resourceVersion, so a no-op
 * reconcile stays request-free; {@link #forget} drops it once Paved writes the object.
 */
final class ObjectDiffer {

  private record Memo(String desired, Set<String> ignored, String resourceVersion) {}

  private final KubernetesClient client;
  private final String fieldManager;
  private final LiveReads live;
  private final Discovery discovery;
  private final Function<JsonNode, Owner> owner;
  private final Map<ObjectKey, Memo> unchangedAt = new ConcurrentHashMap<>();
  private final AtomicLong dryRuns = new AtomicLong();

  /** {@code owner}: whose a prepared manifest is (this repo and the environment it is labelled with). */
  ObjectDiffer(KubernetesClient client, String fieldManager, LiveReads live, Discovery discovery,
      Function<JsonNode, Owner> owner) {
    this.client = client;
    this.fieldManager = fieldManager;
    this.live = live;
    this.discovery = discovery;
    this.owner = owner;
  }

  /** Server-side dry-run requests sent so far. */
  long dryRuns() {
    return dryRuns.get();
  }

  /** Forgets what was learnt about {@code key}: Paved just wrote or deleted it. */
  void forget(ObjectKey key) {
    unchangedAt.remove(key);
  }

  /**
   * {@link #diff} of each object, in parallel on {@code executor} (at most {@code concurrency} at a
   * time), in the order given, for a plan: a creation is dry-run too, so that what the apiserver
   * would refuse is FAILED with its reason (unless it only lacks a namespace or a definition
   * that {@code objects} create first).
   */
  List<ObjectDiff> diffAll(List<DesiredObject> objects, int concurrency, IgnoreRules ignore, Executor executor) {
    Set<String> created = new HashSet<>();
    for (DesiredObject o : objects) {
      if (o.key().kind().equals("Namespace")) {
        created.add("Namespace/" + o.key().name());
      } else if (o.key().kind().equals("CustomResourceDefinition")) {
        JsonNode spec = o.manifest().path("spec");
        created.add(spec.path("group").asText() + "/" + spec.path("names").path("kind").asText());
      }
    }
    return Parallel.map(objects, concurrency, executor, o -> {
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
      ServerSideApply.dryRun(client, d.manifest(), fieldManager);
      return d;
    } catch (KubernetesClientException e) {
      boolean waitsForTheApply = e.getCode() == 404 && (createdFirst.contains("Namespace/" + d.key().namespace())
          || createdFirst.contains(d.key().group() + "/" + d.key().kind()));
      return waitsForTheApply ? d
          : new ObjectDiff(d.key(), Action.FAILED, null, null, ServerSideApply.reason(e), d.manifest());
    }
  }

  /** What applying {@code o} with {@code ignored} fields kept as they are live would do. */
  ObjectDiff diff(DesiredObject o, Set<String> ignored) {
    Optional<JsonNode> current;
    try {
      Optional<String> scope = discovery.mismatch(o.key());
      if (scope.isPresent()) {
        return new ObjectDiff(o.key(), Action.FAILED, null, null, scope.get());
      }
      current = live.get(o.key());
    } catch (KubernetesClientException e) {
      return new ObjectDiff(o.key(), Action.FAILED, null, null, ServerSideApply.reason(e));
    }
    return diff(o, ignored, current.orElse(null));
  }

  /** See {@link ResourceManager#diff(DesiredObject, Set, JsonNode)}. */
  ObjectDiff diff(DesiredObject o, Set<String> ignored, JsonNode liveObject) {
    ObjectKey key = o.key();
    ObjectNode prepared = ServerSideApply.prepared(o);
    Owner owner = this.owner.apply(prepared);
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
      JsonNode afterTree = ServerSideApply.dryRun(client, manifest, fieldManager);
      if (Comparison.sameContent(Comparison.withoutVolatile(afterTree), Comparison.withoutVolatile(liveObject))) {
        unchangedAt.put(key, memo);
        return new ObjectDiff(key, Action.UNCHANGED, liveObject, afterTree, "", manifest);
      }
      return new ObjectDiff(key, Action.CONFIGURED, liveObject, afterTree, "", manifest);
    } catch (KubernetesClientException e) {
      return new ObjectDiff(key, Action.FAILED, null, null, ServerSideApply.reason(e), manifest);
    }
  }
}
