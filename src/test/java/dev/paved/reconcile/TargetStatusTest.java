package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.Action;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.DriftReport;
import dev.paved.apply.IgnoreRules;
import dev.paved.apply.PruneGuard;
import dev.paved.config.Declarations.Cluster;
import dev.paved.config.Declarations.DriftMode;
import dev.paved.config.Location;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status of a target and of its services, built from what its reconciles reported. */
class TargetStatusTest {

  private static DesiredObject object(String kind, String name, String service, String version) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("apiVersion", kind.equals("Deployment") ? "apps/v1" : "v1").put("kind", kind);
    ObjectNode meta = m.putObject("metadata").put("name", name).put("namespace", "shop-prod");
    ObjectNode labels = meta.putObject("labels");
    if (service != null) {
      labels.put(Labels.TEAM, "shop");
    }
    if (version != null) {
      labels.put(Labels.VERSION, version);
    }
    return new DesiredObject(ObjectKey.of(m), m, service, new Location("services/" + service + "/service.yaml", 1, 1),
        Map.of());
  }

  private static TargetRequest request(String commit, List<DesiredObject> objects) {
    return new TargetRequest(commit, new EnvironmentState("prod", "prod", "main", objects),
        new Cluster("main", "clusters/main.yaml", "", Map.of(), List.of()), PruneGuard.Policy.defaults(),
        DriftMode.REPORT, IgnoreRules.none(), null);
  }

  @Test
  void servicesCarryTheirVersionTeamSyncAndDriftAndObjectsTheirService() {
    List<DesiredObject> objects = new ArrayList<>();
    objects.add(object("Namespace", "shop-prod", null, null));
    for (String svc : List.of("api", "web", "worker")) {
      objects.add(object("ServiceAccount", svc, svc, null));
      objects.add(object("Deployment", svc, svc, "1.2." + svc.length()));
    }
    TargetStatus status = new TargetStatus("platform", "prod");
    TargetRequest r = request("c1", objects);
    ObjectKey webDeployment = new ObjectKey("apps/v1", "Deployment", "shop-prod", "web");
    status.synced(r, new ChangeSet(List.of(new ChangeSet.Entry(webDeployment, Action.FAILED, "refused"))),
        SyncState.PARTIAL, "1 failed", Instant.EPOCH);

    TargetStatus.View view = status.view(r, List.of(new DriftReport(new ObjectKey("v1", "ServiceAccount", "shop-prod",
        "worker"), List.of("/metadata/labels"), List.of("kubectl"), Instant.EPOCH)));

    assertThat(view.services()).extracting(s -> s.service() + " " + s.sync() + " " + s.team() + " "
        + s.version().orElse("-") + " " + s.drifted())
        .containsExactly("api SYNCED shop 1.2.3 0", "web FAILED shop 1.2.3 0", "worker SYNCED shop 1.2.6 1");
    assertThat(status.serviceOf(webDeployment)).isEqualTo("web");
    assertThat(status.serviceOf(new ObjectKey("v1", "Namespace", null, "shop-prod"))).isNull();
    assertThat(status.serviceView("worker", view)).hasValueSatisfying(e -> assertThat(e.objects()).hasSize(2));

    // the next request is indexed anew
    TargetRequest next = request("c2", objects.subList(0, 3));
    status.synced(next, ChangeSet.empty(), SyncState.SYNCED, null, Instant.EPOCH);
    assertThat(status.view(next, List.of()).services()).extracting(DaemonStatus.ServiceInEnvironment::service)
        .containsExactly("api");
    assertThat(status.serviceOf(webDeployment)).isNull();
  }
}
