package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.apply.InventoryStore;
import dev.paved.desired.Labels;
import dev.paved.reconcile.LivePlatform;
import dev.paved.testing.ControlPlane;
import dev.paved.testing.RealCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paved apply} and {@code paved plan}, in-process, against the real apiserver. */
@RealCluster
class LiveCommandsIT {

  @TempDir
  Path work;

  private static Cli paved(String command, Path repo, LivePlatform p, ControlPlane cluster, String... more) {
    List<String> args = new ArrayList<>(List.of(command, repo.toString(), "--env", p.environment,
        "--kubeconfig", cluster.kubeconfig().toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<String> objectLines(String out) {
    return out.lines().filter(l -> l.startsWith("  ")).map(String::strip).toList();
  }

  @Test
  void theExamplePlatformAppliesWithAKubeconfigAndNoContext(ControlPlane cluster) {
    // The config repo names clusters (nonprod) but not how to reach them: the kubeconfig's
    // current context is the one used.
    Cli r = Cli.run("apply", "examples/platform", "--env", "dev", "--kubeconfig", cluster.kubeconfig().toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("Applying environment dev to cluster nonprod (" + cluster.apiServerUrl().replaceAll("/$", ""))
        .contains("Deployment/storefront-dev/web created").contains("dev: ").contains("- synced");
  }

  @Test
  void applyTwiceReportsEveryObjectUnchangedTheSecondTime(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("cart", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));

    Cli first = paved("apply", repo, p, cluster);

    assertThat(first.exit()).as(first.err() + first.out()).isEqualTo(ExitCodes.OK);
    assertThat(objectLines(first.out())).hasSize(6).contains("Deployment/" + ns + "/checkout created",
        "Service/" + ns + "/cart created", "ServiceAccount/" + ns + "/cart created");
    assertThat(first.out()).contains(p.environment + ": 6 created (6 writes) - synced");
    assertThat(client.apps().deployments().withName("checkout").get().getMetadata().getAnnotations())
        .containsEntry(Labels.SOURCE_COMMIT, "local"); // not a git repository

    Cli second = paved("apply", repo, p, cluster);

    assertThat(second.exit()).as(second.err() + second.out()).isEqualTo(ExitCodes.OK);
    assertThat(objectLines(second.out())).hasSize(6).allSatisfy(l -> assertThat(l).endsWith(" unchanged"));
    assertThat(second.out()).contains(p.environment + ": 6 unchanged (0 writes) - synced");
  }

  @Test
  void planShowsCreateUpdateWithAFieldDiffAndPruneAndWritesNothing(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("legacy", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));
    assertThat(paved("apply", repo, p, cluster).exit()).isZero();
    String checkoutVersion = client.apps().deployments().withName("checkout").get().getMetadata()
        .getResourceVersion();

    p.service("checkout", "2.0.0").remove("legacy").service("search", "0.1.0").writeTo(repo);
    Cli plan = paved("plan", repo, p, cluster);

    assertThat(plan.exit()).as(plan.err()).isEqualTo(ExitCodes.OK);
    assertThat(plan.out())
        .contains("Environment " + p.environment + " (cluster main): 3 to add, 1 to change, 3 to remove, 2 unchanged")
        .contains("+ Deployment/" + ns + "/search")
        .contains("~ Deployment/" + ns + "/checkout")
        .contains("- Deployment/" + ns + "/legacy")
        .contains("- Service/" + ns + "/legacy")
        .contains("-          image: registry.example.com/payments/checkout:1.0.0")
        .contains("+          image: registry.example.com/payments/checkout:2.0.0")
        .doesNotContain("managedFields").doesNotContain("resourceVersion").doesNotContain(Labels.APPLIED_HASH);
    // The field-level diff shows only what changes: no defaulted field appears as a change.
    assertThat(plan.out().lines().filter(l -> l.startsWith("    -") || l.startsWith("    +"))
        .filter(l -> !l.startsWith("    ---") && !l.startsWith("    +++")).toList())
        .allSatisfy(l -> assertThat(l).containsAnyOf("checkout:", "version:"));

    Cli markdown = paved("plan", repo, p, cluster, "--format", "markdown");
    assertThat(markdown.exit()).isZero();
    assertThat(markdown.out()).contains("Deployment/" + ns + "/checkout").contains("```diff");

    assertThat(client.apps().deployments().withName("search").get()).isNull();
    assertThat(client.apps().deployments().withName("legacy").get()).isNotNull();
    assertThat(client.apps().deployments().withName("checkout").get().getMetadata().getResourceVersion())
        .isEqualTo(checkoutVersion);
  }

  @Test
  void planShowsDeletionsTheGuardWouldHold(KubernetesClient client, ControlPlane cluster) throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("a", "1").service("b", "1").service("c", "1");
    Path repo = p.writeTo(work.resolve("repo"));
    assertThat(paved("apply", repo, p, cluster).exit()).isZero();

    p.remove("b").remove("c").writeTo(repo);
    Cli plan = paved("plan", repo, p, cluster);

    assertThat(plan.out()).contains("6 deletion(s) held").contains("! Deployment/" + ns + "/b (held: this commit "
        + "would delete 6 of 9 objects");
    Cli apply = paved("apply", repo, p, cluster);
    assertThat(apply.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(apply.out()).contains("Deployment/" + ns + "/b held: this commit would delete 6 of 9 objects")
        .contains("NOT synced (6 deletion(s) held)");
    assertThat(client.apps().deployments().withName("b").get()).isNotNull();
  }

  @Test
  void planListsSkipsConflictsAndRefusalsAndExitsOneWhenTheApiserverWouldRefuse(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").service("cart", "1.0.0")
        .service("legacy", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));
    assertThat(paved("apply", repo, p, cluster).exit()).isZero();
    // Someone takes the legacy ServiceAccount out of Paved's hands, and owns a ConfigMap git will declare.
    client.serviceAccounts().withName("legacy").patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
        .build(), "{\"metadata\":{\"labels\":{\"" + Labels.MANAGED_BY + "\":null}}}");
    client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
        .addToLabels(Labels.MANAGED_BY, "helm").endMetadata().addToData("a", "1").build()).create();

    p.remove("legacy").manifest("checkout", "settings.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          a: "2"
        """).writeTo(repo);
    Cli plan = paved("plan", repo, p, cluster);

    assertThat(plan.exit()).as(plan.err() + plan.out()).isEqualTo(ExitCodes.OK);
    assertThat(plan.out())
        .contains("0 to add, 0 to change, 2 to remove, 6 unchanged, 1 skipped, 1 conflict(s)")
        .contains("- Deployment/" + ns + "/legacy")
        .contains("= ServiceAccount/" + ns + "/legacy (skipped: not owned by Paved for repo \"default\", environment \""
            + p.environment + "\"")
        // no silent takeover: the apply would write nothing for it (git may mark it paved.dev/adopt)
        .contains("* ConfigMap/" + ns + "/settings (conflict: exists and is not Paved's (field managers: ")
        .doesNotContain("+  a: \"2\"");

    // An object the apiserver would refuse: listed with its reason, exit 1, nothing written.
    p.manifest("checkout", "bad.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: bad
        data:
          "bad key!": "x"
        """).writeTo(repo);
    Cli refused = paved("plan", repo, p, cluster);
    assertThat(refused.exit()).as(refused.out()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(refused.out()).contains("1 refused")
        .contains("x ConfigMap/" + ns + "/bad (refused: the apiserver refuses it: ").contains("valid config key");
    Cli json = paved("plan", repo, p, cluster, "--format", "json");
    assertThat(json.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(json.out()).contains("\"action\" : \"refuse\"").contains("\"action\" : \"conflict\"")
        .contains("\"action\" : \"skip\"");
    assertThat(client.configMaps().withName("bad").get()).isNull();
    assertThat(client.configMaps().withName("settings").get().getData()).containsEntry("a", "1");
    assertThat(client.apps().deployments().withName("legacy").get()).isNotNull();
  }

  @Test
  void applyReportsAFailedObjectWithTheApiserversReasonAndExitsOne(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0").manifest("checkout", "bad.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          "bad key!": "x"
        """);
    Cli r = paved("apply", p.writeTo(work.resolve("repo")), p, cluster);

    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.out()).contains("ConfigMap/" + ns + "/settings failed: ").contains("valid config key")
        .contains("Deployment/" + ns + "/checkout created").contains("NOT synced (1 failed)");
  }

  @Test
  void applyWritesAsTheTeamOwnsAsTheRepoIdOfPlatformYamlAndReportsAConflict(KubernetesClient client,
      ControlPlane cluster) throws Exception {
    String ns = client.getNamespace();
    client.configMaps().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
        .withName("settings").endMetadata().addToData("mode", "ops").build()).fieldManager("ops").serverSideApply();
    LivePlatform p = new LivePlatform(ns).impersonating().service("checkout", "1.0.0")
        .file("platform.yaml", "apiVersion: paved.dev/v1alpha1\nkind: Platform\nid: shop\n")
        .manifest("checkout", "settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
            + "data:\n  mode: paved\n");

    Cli r = paved("apply", p.writeTo(work.resolve("repo")), p, cluster);

    assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(objectLines(r.out())).contains("RoleBinding/" + ns + "/paved-team-payments created",
        "Deployment/" + ns + "/checkout created");
    assertThat(r.out()).contains("ConfigMap/" + ns + "/settings conflict: exists and is not Paved's (field managers: ops)")
        .contains("NOT synced (1 in conflict)");
    assertThat(client.configMaps().withName("settings").get().getData()).containsEntry("mode", "ops");
    assertThat(client.apps().deployments().withName("checkout").get().getMetadata().getLabels())
        .containsEntry(Labels.REPO, "shop");
    assertThat(client.configMaps().inNamespace("paved-system")
        .withName(dev.paved.apply.InventoryStore.name("shop", p.environment)).get()).isNotNull();
  }

  @Test
  void dryRunWritesNothing(KubernetesClient client, ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    Cli r = paved("apply", p.writeTo(work.resolve("repo")), p, cluster, "--dry-run");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("(dry run) ").contains("Deployment/" + client.getNamespace() + "/checkout created")
        .contains("(0 writes)");
    assertThat(client.apps().deployments().withName("checkout").get()).isNull();
    assertThat(client.configMaps().inNamespace("paved-system").withName(InventoryStore.name(p.environment)).get())
        .isNull();
  }

  @Test
  void aBlockedConfigTouchesNothing(KubernetesClient client, ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));
    Files.writeString(repo.resolve("services/checkout/service.yaml"), "replica: 3\n", java.nio.file.StandardOpenOption.APPEND);

    Cli r = paved("apply", repo, p, cluster);

    assertThat(r.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(r.err()).contains("unknown field \"replica\"").contains("nothing was applied");
    assertThat(client.apps().deployments().list().getItems()).isEmpty();
  }

  @Test
  void usageAndConnectionErrorsAreClear(KubernetesClient client, ControlPlane cluster) throws Exception {
    LivePlatform p = new LivePlatform(client.getNamespace()).service("checkout", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));

    Cli unknown = Cli.run("apply", repo.toString(), "--env", "nope", "--kubeconfig", cluster.kubeconfig().toString());
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("unknown environment \"nope\"").contains(p.environment);

    Cli noContext = paved("plan", repo, p, cluster, "--context", "elsewhere");
    assertThat(noContext.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(noContext.err()).contains("has no context \"elsewhere\"");

    Path dead = work.resolve("dead-kubeconfig");
    Files.writeString(dead, Files.readString(cluster.kubeconfig())
        .replaceAll("server: https://[^\\s]+", "server: https://127.0.0.1:1"));
    long start = System.nanoTime();
    Cli unreachable = Cli.run("apply", repo.toString(), "--env", p.environment, "--kubeconfig", dead.toString());
    assertThat(unreachable.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(unreachable.err()).contains("cannot reach cluster \"main\" at https://127.0.0.1:1");
    assertThat((System.nanoTime() - start) / 1_000_000_000).isLessThan(20);
  }

  @Test
  void applyInAGitRepoStampsTheHeadCommitAndWaitsForHealth(KubernetesClient client, ControlPlane cluster)
      throws Exception {
    String ns = client.getNamespace();
    LivePlatform p = new LivePlatform(ns).service("checkout", "1.0.0");
    Path repo = p.writeTo(work.resolve("repo"));
    String head;
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      head = git.commit().setMessage("init").setAuthor("Dev", "dev@example.com")
          .setCommitter("Dev", "dev@example.com").setSign(false).call().getName();
    }

    // No controller manager: the Deployment never rolls out by itself.
    Cli waiting = paved("apply", repo, p, cluster, "--wait", "2s");
    assertThat(waiting.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(waiting.out()).contains("Deployment/" + ns + "/checkout progressing")
        .contains("Service/" + ns + "/checkout healthy");
    assertThat(client.apps().deployments().withName("checkout").get().getMetadata().getAnnotations())
        .containsEntry(Labels.SOURCE_COMMIT, head);

    var d = client.apps().deployments().withName("checkout").get();
    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(1).withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
    client.apps().deployments().resource(d).updateStatus();

    Cli healthy = paved("apply", repo, p, cluster, "--wait", "10s");
    assertThat(healthy.exit()).as(healthy.out()).isZero();
    assertThat(healthy.out()).contains("Deployment/" + ns + "/checkout healthy")
        .contains(p.environment + " health: healthy");
  }
}
