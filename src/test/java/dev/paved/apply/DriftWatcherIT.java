package dev.paved.apply;

import static dev.paved.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.config.Declarations.DriftMode;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Drift between syncs, on a real apiserver: corrected, reported, or not drift at all. */
@RealCluster
class DriftWatcherIT {

  private static final String IMAGE = "/spec/template/spec/containers/0/image";

  /** Everything a watcher tells its listeners. */
  static final class Recorder implements DriftWatcher.Listener {
    final List<DriftReport> drifted = new CopyOnWriteArrayList<>();
    final List<ChangeSet.Entry> corrected = new CopyOnWriteArrayList<>();
    final List<ObjectKey> resolved = new CopyOnWriteArrayList<>();
    final Map<ObjectKey, List<String>> checkedAt = new ConcurrentHashMap<>();

    @Override
    public void drifted(DriftReport report) {
      drifted.add(report);
    }

    @Override
    public void corrected(DriftReport report, ChangeSet.Entry result) {
      corrected.add(result);
    }

    @Override
    public void resolved(ObjectKey key) {
      resolved.add(key);
    }

    @Override
    public void checked(ObjectKey key, String resourceVersion, List<String> fields) {
      checkedAt.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(resourceVersion);
    }

    /** Whether the object was checked at exactly this resourceVersion. */
    boolean checked(ObjectKey key, String resourceVersion) {
      return checkedAt.getOrDefault(key, List.of()).contains(resourceVersion);
    }
  }

  private static ObjectKey key(Target t, String kind, String name) {
    return t.state("c1").objects().stream().map(DesiredObject::key)
        .filter(k -> k.kind().equals(kind) && k.name().equals(name)).findFirst().orElseThrow();
  }

  private static Deployment deployment(KubernetesClient client, String name) {
    return client.apps().deployments().withName(name).get();
  }

  private static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** Another client changes the image, as {@code kubectl edit} would (strategic merge, its own manager). */
  private static Deployment editImage(KubernetesClient other, String ns, String name, String image) {
    return other.apps().deployments().inNamespace(ns).withName(name).patch(
        new PatchContext.Builder().withPatchType(PatchType.STRATEGIC_MERGE).withFieldManager("kubectl-edit").build(),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"" + name + "\",\"image\":\"" + image
            + "\"}]}}}}");
  }

  private static DriftWatcher watcher(Target t, Target.Engine engine, DriftMode mode, Recorder recorder) {
    DriftWatcher w = new DriftWatcher(engine.cache, engine.manager, engine.drift);
    w.addListener(recorder);
    return w.start(t.state("c1"), mode, t.ignoreRules());
  }

  /** Waits until the watch cache holds every desired object at the apiserver's resourceVersion. */
  private static void awaitCacheCurrent(Target t, Target.Engine engine, KubernetesClient client) {
    for (DesiredObject o : t.state("c1").objects()) {
      ObjectKey k = o.key();
      await("the cache holds " + k + " as it is", () -> engine.cache.get(k)
          .map(live -> live.path("metadata").path("resourceVersion").asText())
          .filter(rv -> rv.equals(client.genericKubernetesResources(k.apiVersion(), k.kind())
              .inNamespace(k.namespace()).withName(k.name()).get().getMetadata().getResourceVersion()))
          .isPresent());
    }
  }

  @Test
  void correctModeTakesBackAnImageAndALabelChangedByAnotherManager(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey dep = key(t, "Deployment", "checkout");

      Deployment edited = editImage(other, ns, "checkout", "evil.example.com/checkout:6.6.6");
      assertThat(image(edited)).isEqualTo("evil.example.com/checkout:6.6.6");

      await("the image is restored", () -> image(deployment(client, "checkout"))
          .equals("registry.example.com/payments/checkout:1.0.0"));
      // The listener hears of the correction once the apply returns, just after the write.
      await("the correction is reported", () -> !recorder.corrected.isEmpty());
      assertThat(recorder.drifted).filteredOn(r -> r.key().equals(dep)).first().satisfies(r -> {
        assertThat(r.fields()).containsExactly(IMAGE);
        assertThat(r.managers()).containsExactly("kubectl-edit");
      });
      assertThat(recorder.corrected).extracting(ChangeSet.Entry::action).contains(Action.CONFIGURED);
      Deployment restored = deployment(client, "checkout");
      assertThat(restored.getMetadata().getManagedFields()).filteredOn(m -> m.getManager().equals("paved"))
          .singleElement().satisfies(m -> assertThat(m.getFieldsV1().getAdditionalProperties().toString())
              .contains("image"));

      // A label Paved declares, on another object kind.
      other.services().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("ops").build(),
          "{\"metadata\":{\"labels\":{\"paved.dev/team\":\"someone-else\"}}}");
      await("the label is restored", () -> "payments".equals(
          client.services().withName("checkout").get().getMetadata().getLabels().get(Labels.TEAM)));
      await("the restored object is checked clean", () -> watcher.drift().isEmpty()
          && recorder.checked(key(t, "Service", "checkout"),
              client.services().withName("checkout").get().getMetadata().getResourceVersion()));
      assertThat(watcher.drift()).isEmpty();
    }
  }

  @Test
  void reportModeRecordsTheFieldAndTheManagerWithoutTouchingTheCluster(KubernetesClient client,
      ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.REPORT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      long writes = engine.manager.writes();
      ObjectKey dep = key(t, "Deployment", "checkout");

      Deployment edited = editImage(other, ns, "checkout", "evil.example.com/checkout:6.6.6");

      await("the drift is recorded", () -> watcher.drift().containsKey(dep));
      DriftReport report = watcher.drift().get(dep);
      assertThat(report.fields()).containsExactly(IMAGE);
      assertThat(report.managers()).containsExactly("kubectl-edit");
      assertThat(report.deleted()).isFalse();
      assertThat(report.toString()).contains("Deployment/" + ns + "/checkout").contains(IMAGE).contains("kubectl-edit");
      await("the edit is checked", () -> recorder.checked(dep, edited.getMetadata().getResourceVersion()));
      assertThat(engine.manager.writes()).isEqualTo(writes);
      Deployment live = deployment(client, "checkout");
      assertThat(image(live)).isEqualTo("evil.example.com/checkout:6.6.6");
      assertThat(live.getMetadata().getResourceVersion()).isEqualTo(edited.getMetadata().getResourceVersion());
      assertThat(recorder.corrected).isEmpty();

      // Changed back by hand: the drift is gone.
      editImage(other, ns, "checkout", "registry.example.com/payments/checkout:1.0.0");
      await("the drift is resolved", () -> watcher.drift().isEmpty());
      // The listener hears of it just after the drift map changes: wait for that too.
      await("the resolution is reported", () -> !recorder.resolved.isEmpty());
      assertThat(recorder.resolved).containsExactly(dep);
      assertThat(recorder.drifted).hasSize(1);
    }
  }

  @Test
  void replicasOwnedByAnHpaLikeManagerAreNeitherFoughtOverNorReported(KubernetesClient client,
      ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0", """
        autoscaling:
          minReplicas: 2
          maxReplicas: 10
        """);
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient hpa = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      assertThat(t.state("c1").find(key(t, "Deployment", "checkout")).orElseThrow().manifest()
          .path("spec").has("replicas")).isFalse();
      long writes = engine.manager.writes();
      ObjectKey dep = key(t, "Deployment", "checkout");

      Deployment scaled = hpa.apps().deployments().inNamespace(ns).withName("checkout").patch(
          new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
              .withFieldManager("horizontal-pod-autoscaler").build(), "{\"spec\":{\"replicas\":7}}");

      await("the scale change is checked", () -> recorder.checked(dep, scaled.getMetadata().getResourceVersion()));
      assertThat(recorder.drifted).isEmpty();
      assertThat(watcher.drift()).isEmpty();
      assertThat(engine.manager.writes()).isEqualTo(writes);
      Deployment live = deployment(client, "checkout");
      assertThat(live.getSpec().getReplicas()).isEqualTo(7);
      assertThat(live.getMetadata().getResourceVersion()).isEqualTo(scaled.getMetadata().getResourceVersion());

      // The next sync does not fight either.
      assertThat(engine.sync("c2").changes().count(Action.UNCHANGED))
          .isEqualTo(t.state("c2").objects().size());
      assertThat(deployment(client, "checkout").getSpec().getReplicas()).isEqualTo(7);
    }
  }

  @Test
  void aDeletedManagedObjectIsRecreatedInCorrectMode(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      String uid = client.services().withName("checkout").get().getMetadata().getUid();

      other.services().inNamespace(ns).withName("checkout").delete();

      await("the Service is recreated", () -> {
        var s = client.services().withName("checkout").get();
        return s != null && !s.getMetadata().getUid().equals(uid);
      });
      await("the correction is reported", () -> !recorder.corrected.isEmpty());
      assertThat(recorder.drifted).filteredOn(DriftReport::deleted).extracting(DriftReport::key)
          .containsExactly(key(t, "Service", "checkout"));
      assertThat(recorder.corrected).extracting(ChangeSet.Entry::action).containsExactly(Action.CREATED);
      assertThat(client.services().withName("checkout").get().getMetadata().getLabels())
          .containsEntry(Labels.MANAGED_BY, "paved");
    }
  }

  @Test
  void aDeletionIsOnlyReportedInReportMode(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.REPORT, new Recorder())) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey svc = key(t, "Service", "checkout");

      other.services().inNamespace(ns).withName("checkout").delete();

      await("the deletion is reported", () -> watcher.drift().containsKey(svc));
      assertThat(watcher.drift().get(svc).deleted()).isTrue();
      assertThat(client.services().withName("checkout").get()).isNull();
    }
  }

  @Test
  void removingPavedsSelectorLabelIsDriftNotADeletion(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      String uid = client.serviceAccounts().withName("checkout").get().getMetadata().getUid();

      // The object leaves the informer's label selector: the cache sees a deletion.
      other.serviceAccounts().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("ops").build(),
          "{\"metadata\":{\"labels\":{\"paved.dev/environment\":null}}}");

      await("the label is restored", () -> t.environment.equals(
          client.serviceAccounts().withName("checkout").get().getMetadata().getLabels().get(Labels.ENVIRONMENT)));
      assertThat(client.serviceAccounts().withName("checkout").get().getMetadata().getUid()).isEqualTo(uid);
      assertThat(recorder.drifted).singleElement().satisfies(r -> {
        assertThat(r.deleted()).isFalse();
        assertThat(r.fields()).containsExactly("/metadata/labels/paved.dev~1environment");
        // A removal leaves its author owning nothing, and the apiserver drops managers that own
        // nothing: who did it cannot be known from the object.
        assertThat(r.managers()).isEmpty();
      });
    }
  }

  @Test
  void defaultedObjectsAreNotDriftAndIgnoredFieldsAreNotReported(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0", """
        ignoreDifferences:
          - kind: Deployment
            jsonPointers: [/spec/template/spec/containers/0/image]
          - kind: Service
            name: not-this-one
            jsonPointers: [/metadata/labels]
        """);
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.REPORT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey dep = key(t, "Deployment", "checkout");
      ObjectKey svc = key(t, "Service", "checkout");
      // The apiserver defaulted plenty (strategy, revisionHistoryLimit, clusterIP, sessionAffinity...).
      assertThat(client.services().withName("checkout").get().getSpec().getClusterIP()).isNotBlank();
      assertThat(deployment(client, "checkout").getSpec().getRevisionHistoryLimit()).isEqualTo(10);

      watcher.checkAll();
      await("every object is checked", () -> t.state("c1").objects().stream()
          .allMatch(o -> recorder.checkedAt.containsKey(o.key())));
      assertThat(recorder.drifted).isEmpty();
      assertThat(watcher.drift()).isEmpty();

      // Another manager adds what Paved does not declare: not drift.
      var annotated = other.services().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("mesh-injector").build(),
          "{\"metadata\":{\"annotations\":{\"mesh.example.com/inject\":\"true\"}},\"spec\":{\"sessionAffinity\":\"ClientIP\"}}");
      await("the annotation is checked", () -> recorder.checked(svc, annotated.getMetadata().getResourceVersion()));
      assertThat(recorder.drifted).isEmpty();

      // An ignored field: not reported; a declared, non-ignored one in the same object is.
      Deployment edited = editImage(other, ns, "checkout", "mirror.example.com/checkout:1.0.0");
      await("the image edit is checked", () -> recorder.checked(dep, edited.getMetadata().getResourceVersion()));
      assertThat(recorder.drifted).isEmpty();
      other.apps().deployments().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("ops").build(),
          "{\"metadata\":{\"labels\":{\"paved.dev/team\":\"someone-else\"}}}");
      await("the label drift is reported", () -> watcher.drift().containsKey(dep));
      assertThat(watcher.drift().get(dep).fields()).containsExactly("/metadata/labels/paved.dev~1team");
      assertThat(watcher.drift().get(dep).managers()).containsExactly("ops");
      // The rule for another Service name does not apply to this one.
      other.services().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("ops").build(),
          "{\"metadata\":{\"labels\":{\"paved.dev/team\":\"someone-else\"}}}");
      await("the Service label drift is reported", () -> watcher.drift().containsKey(svc));
    }
  }

  @Test
  void aNewCommitSwapsTheDesiredStateWithoutTakingTheSyncForDrift(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0");
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT,
        recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey dep = key(t, "Deployment", "checkout");
      awaitCacheCurrent(t, engine, client); // the sync of c2 reads the live objects from it

      t.service("checkout", "1.1.0");
      watcher.update(t.state("c2"));
      assertThat(engine.sync("c2").changes().of(Action.CONFIGURED)).extracting(ChangeSet.Entry::key).contains(dep);

      String rv = deployment(client, "checkout").getMetadata().getResourceVersion();
      await("the new version is checked", () -> recorder.checked(dep, rv));
      assertThat(recorder.drifted).isEmpty();
      assertThat(image(deployment(client, "checkout"))).endsWith("checkout:1.1.0");
    }
  }

  /** Values the apiserver stores in another form than git's: quantities, an empty list, an empty string. */
  private static final String REWRITTEN = """
      args: []
      variables:
        EMPTY: ""
      resources:
        requests:
          cpu: "0.5"
          memory: 1024Mi
        limits:
          cpu: 1
          memory: 2048Mi
      """;

  private static final String LIMIT = "/spec/template/spec/containers/0/resources/limits/memory";

  private static void editMemoryLimit(KubernetesClient other, String ns, String value) {
    other.apps().deployments().inNamespace(ns).withName("checkout").patch(
        new PatchContext.Builder().withPatchType(PatchType.STRATEGIC_MERGE).withFieldManager("ops").build(),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"checkout\",\"resources\":"
            + "{\"limits\":{\"memory\":\"" + value + "\"}}}]}}}}");
  }

  /** Every desired object checked at its current resourceVersion, after {@link DriftWatcher#checkAll}. */
  private static void checkAllNow(Target t, DriftWatcher watcher, Recorder recorder, KubernetesClient client) {
    watcher.checkAll();
    for (DesiredObject o : t.state("c1").objects()) {
      ObjectKey k = o.key();
      await("a check of " + k + " at its resourceVersion", () -> recorder.checked(k,
          client.genericKubernetesResources(k.apiVersion(), k.kind()).inNamespace(k.namespace()).withName(k.name())
              .get().getMetadata().getResourceVersion()));
    }
  }

  @Test
  void valuesTheApiserverRewritesAreNeitherCorrectedNorReportedButARealEditIsCorrected(KubernetesClient client,
      ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0", REWRITTEN);
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      Deployment applied = deployment(client, "checkout");
      var container = applied.getSpec().getTemplate().getSpec().getContainers().get(0);
      // The apiserver did rewrite them: git's values differ from the stored ones.
      assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
      assertThat(container.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
      assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
      assertThat(container.getArgs()).isEmpty();
      assertThat(container.getEnv()).singleElement().satisfies(e -> assertThat(e.getValue()).isNull());
      long writes = engine.manager.writes();
      awaitCacheCurrent(t, engine, client);

      checkAllNow(t, watcher, recorder, client);
      assertThat(recorder.drifted).isEmpty();
      assertThat(recorder.corrected).isEmpty();
      assertThat(watcher.drift()).isEmpty();
      assertThat(engine.manager.writes()).isEqualTo(writes);
      assertThat(deployment(client, "checkout").getMetadata().getResourceVersion())
          .isEqualTo(applied.getMetadata().getResourceVersion());
      // The next sync writes nothing either.
      assertThat(engine.sync("c1").changes().count(Action.UNCHANGED)).isEqualTo(t.state("c1").objects().size());
      assertThat(engine.manager.writes()).isEqualTo(writes);

      // A real edit of a quantity is drift, and taken back.
      editMemoryLimit(other, ns, "4Gi");
      await("the limit is restored", () -> "2Gi".equals(deployment(client, "checkout").getSpec().getTemplate()
          .getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString()));
      await("the correction is reported", () -> !recorder.corrected.isEmpty());
      assertThat(recorder.drifted).singleElement().satisfies(r -> {
        assertThat(r.fields()).containsExactly(LIMIT);
        assertThat(r.managers()).containsExactly("ops");
      });
    }
  }

  @Test
  void valuesTheApiserverRewritesAreNotReportedButARealEditIs(KubernetesClient client, ControlPlane cluster) {
    String ns = client.getNamespace();
    Target t = new Target(ns).service("checkout", "1.0.0", REWRITTEN);
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.REPORT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey dep = key(t, "Deployment", "checkout");
      checkAllNow(t, watcher, recorder, client);
      // Checked again at the same resourceVersion (a resync): still nothing, from the remembered dry run.
      long dryRuns = engine.manager.dryRuns();
      checkAllNow(t, watcher, recorder, client);
      assertThat(engine.manager.dryRuns()).isEqualTo(dryRuns);
      assertThat(recorder.drifted).isEmpty();
      assertThat(watcher.drift()).isEmpty();

      // The same value written in another form by someone else: not drift.
      editMemoryLimit(other, ns, "2048Mi");
      String sameRv = deployment(client, "checkout").getMetadata().getResourceVersion();
      await("the rewrite is checked", () -> recorder.checked(dep, sameRv));
      assertThat(watcher.drift()).isEmpty();

      editMemoryLimit(other, ns, "3Gi");
      await("the drift is recorded", () -> watcher.drift().containsKey(dep));
      assertThat(watcher.drift().get(dep).fields()).containsExactly(LIMIT);
      assertThat(recorder.drifted).hasSize(1);
    }
  }

  @Test
  void anIgnoredFieldChangedLiveIsKeptByTheSyncOfANewCommitAndByACorrection(KubernetesClient client,
      ControlPlane cluster) {
    String ns = client.getNamespace();
    String ignoreImage = """
        ignoreDifferences:
          - kind: Deployment
            jsonPointers: [/spec/template/spec/containers/0/image]
        """;
    Target t = new Target(ns).service("checkout", "1.0.0", ignoreImage);
    Recorder recorder = new Recorder();
    try (Target.Engine engine = t.engine(client); KubernetesClient other = cluster.newClient();
        DriftWatcher watcher = watcher(t, engine, DriftMode.CORRECT, recorder)) {
      assertThat(engine.sync("c1").synced()).isTrue();
      ObjectKey dep = key(t, "Deployment", "checkout");
      editImage(other, ns, "checkout", "mirror.example.com/checkout:1.0.0");
      awaitCacheCurrent(t, engine, client); // the sync reads the live image from it

      // A new commit changes the ignored image and a declared variable: the variable is applied,
      // the image stays as it is live.
      t.service("checkout", "1.1.0", ignoreImage + """
          variables:
            MODE: fast
          """);
      watcher.update(t.state("c2"));
      assertThat(engine.sync("c2").changes().of(Action.CONFIGURED)).extracting(ChangeSet.Entry::key).contains(dep);
      Deployment synced = deployment(client, "checkout");
      assertThat(image(synced)).isEqualTo("mirror.example.com/checkout:1.0.0");
      assertThat(synced.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
          .anySatisfy(e -> assertThat(e.getName()).isEqualTo("MODE"));

      // A correction of another field keeps it too.
      other.apps().deployments().inNamespace(ns).withName("checkout").patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager("ops").build(),
          "{\"metadata\":{\"labels\":{\"paved.dev/team\":\"someone-else\"}}}");
      await("the label is restored", () -> "payments".equals(
          deployment(client, "checkout").getMetadata().getLabels().get(Labels.TEAM)));
      await("the correction is reported", () -> !recorder.corrected.isEmpty());
      assertThat(recorder.drifted).extracting(DriftReport::fields)
          .containsExactly(List.of("/metadata/labels/paved.dev~1team"));
      assertThat(image(deployment(client, "checkout"))).isEqualTo("mirror.example.com/checkout:1.0.0");
    }
  }
}
