package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Deletes what a target no longer declares, as Paved (never as a team), but only objects that
 * carry Paved's ownership mark for this repo and the environment ({@link Owner#owns}): anything
 * else is skipped with the reason, and an object already gone is skipped too. Which keys may be
 * deleted at all (inventory minus desired, held by {@link PruneGuard}) is the caller's decision.
 */
final class Pruner {

  private final KubernetesClient client;
  private final String repo;
  private final LiveReads live;
  private final Consumer<ObjectKey> deleted;
  private final AtomicLong deletes = new AtomicLong();

  /** {@code deleted}: told of each object deleted (to forget what was learnt about it). */
  Pruner(KubernetesClient client, String repo, LiveReads live, Consumer<ObjectKey> deleted) {
    this.client = client;
    this.repo = repo;
    this.live = live;
    this.deleted = deleted;
  }

  /** Delete requests sent so far. */
  long deletes() {
    return deletes.get();
  }

  /** See {@link ResourceManager#delete}. */
  ChangeSet delete(List<ObjectKey> keys, String environment, boolean dryRun) {
    Owner owner = new Owner(repo, environment);
    List<ChangeSet.Entry> entries = new ArrayList<>();
    for (ObjectKey key : keys) {
      try {
        Optional<JsonNode> current = live.get(key);
        if (current.isEmpty()) {
          entries.add(new ChangeSet.Entry(key, Action.SKIPPED, "already gone"));
          continue;
        }
        if (!owner.owns(current.get())) {
          entries.add(new ChangeSet.Entry(key, Action.SKIPPED, "not owned by Paved for repo \"" + repo
              + "\", environment \"" + environment + "\" (" + owner.otherClaim(current.get())
                  .map(c -> "it belongs to " + c).orElse("no ownership labels") + "); left alone"));
          continue;
        }
        if (!dryRun) {
          deletes.incrementAndGet();
          var op = client.genericKubernetesResources(key.apiVersion(), key.kind());
          (key.namespace() == null ? op.withName(key.name()) : op.inNamespace(key.namespace()).withName(key.name()))
              .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
          deleted.accept(key);
        }
        entries.add(new ChangeSet.Entry(key, Action.DELETED, ""));
      } catch (KubernetesClientException e) {
        entries.add(new ChangeSet.Entry(key, Action.FAILED, ServerSideApply.reason(e)));
      }
    }
    return new ChangeSet(entries);
  }
}
