package dev.paved.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.apply.ChangeSet;
import dev.paved.apply.HealthStatus;
import dev.paved.apply.PruneGuard;
import dev.paved.config.Declarations;
import dev.paved.config.Location;
import dev.paved.desired.DesiredObject;
import dev.paved.desired.EnvironmentState;
import dev.paved.desired.Labels;
import dev.paved.desired.ObjectKey;
import dev.paved.reconcile.DaemonStatus.SyncState;
import dev.paved.secret.Scrubber;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * HA status: what the holder of a target writes on its Lease ({@link HolderReport}), and the
 * status a replica that does not hold the target shows from it ({@link TargetStatus#reported}):
 * the holder named, its report (never this replica's stale memory), {@code UNKNOWN} without one.
 */
class HolderReportTest {

  private static final Instant AT = Instant.parse("2026-12-02T15:00:00Z");
  private static final Instant SYNCED_AT = Instant.parse("2026-12-02T14:59:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aReportRoundTripsThroughTheLeaseAnnotations() {
    HolderReport r = new HolderReport("paved-1", AT, SyncState.PARTIAL, Optional.of("c2"), "degraded",
        "1 of 2 objects degraded", Optional.of(SYNCED_AT), Optional.of("Deployment/checkout refused"));
    Map<String, String> a = r.annotations();
    assertThat(a).containsEntry("paved.dev/report-by", "paved-1").containsEntry("paved.dev/report-sync", "PARTIAL")
        .containsEntry("paved.dev/report-commit", "c2").containsEntry("paved.dev/report-at", "2026-12-02T15:00:00Z");
    assertThat(a.keySet()).allMatch(k -> k.startsWith(HolderReport.PREFIX));
    assertThat(HolderReport.parse(a)).contains(r);

    HolderReport fresh = new HolderReport("paved-1", AT, SyncState.PENDING, Optional.empty(), "unknown", "",
        Optional.empty(), Optional.empty());
    assertThat(fresh.annotations()).containsEntry("paved.dev/report-commit", "");
    assertThat(HolderReport.parse(fresh.annotations())).contains(fresh);
  }

  @Test
  void noReportOrOneNotUnderstoodIsNoReport() {
    assertThat(HolderReport.parse(null)).isEmpty();
    assertThat(HolderReport.parse(Map.of())).isEmpty();
    assertThat(HolderReport.parse(Map.of("other", "x"))).isEmpty();
    Map<String, String> good = report(SyncState.SYNCED, "c1", "healthy").annotations();
    for (String key : List.of(HolderReport.SYNC, HolderReport.AT, HolderReport.LAST_SYNC)) {
      Map<String, String> bad = new HashMap<>(good);
      bad.put(key, "garbled");
      assertThat(HolderReport.parse(bad)).as(key).isEmpty();
    }
    Map<String, String> anonymous = new HashMap<>(good);
    anonymous.remove(HolderReport.BY);
    assertThat(HolderReport.parse(anonymous)).isEmpty();
  }

  @Test
  void aReportNeverCarriesASecretNorALongText() {
    String secret = Scrubber.register("s3cr3t-holder-token");
    HolderReport r = new HolderReport("paved-1", AT, SyncState.FAILED, Optional.of("c1"), "unknown",
        "x".repeat(5000), Optional.empty(), Optional.of("cannot reach https://user:" + secret + "@git.example.com"));
    assertThat(String.join("\n", r.annotations().values())).doesNotContain(secret);
    assertThat(r.healthMessage()).hasSize(HolderReport.MAX_TEXT).endsWith("…");
  }

  @Test
  void theHolderReportsWhatItKnows() {
    TargetStatus s = new TargetStatus("platform", "prod");
    TargetRequest r = request("c1", "1.0.0");
    s.synced(r, ChangeSet.empty(), SyncState.SYNCED, null, SYNCED_AT);
    s.health(r, Map.of(), HealthStatus.unknown("Not assessed."));
    HolderReport report = s.report("paved-0", AT);
    assertThat(report).isEqualTo(new HolderReport("paved-0", AT, SyncState.SYNCED, Optional.of("c1"), "unknown",
        "Not assessed.", Optional.of(SYNCED_AT), Optional.empty()));
  }

  @Test
  void aTargetHeldElsewhereShowsItsHoldersReportNotThisReplicasMemory() {
    TargetStatus s = new TargetStatus("platform", "prod");
    TargetRequest old = request("c1", "1.0.0");
    s.synced(old, ChangeSet.empty(), SyncState.FAILED, "this replica's stale error", SYNCED_AT);
    TargetRequest requested = request("c2", "2.0.0");

    TargetStatus.View v = s.reported(requested, "paved-1", Optional.of(report(SyncState.SYNCED, "c2", "healthy")));
    DaemonStatus.Target t = v.target();
    assertThat(t.sync()).isEqualTo(SyncState.SYNCED);
    assertThat(t.appliedCommit()).contains("c2");
    assertThat(t.lastError()).isEmpty();
    assertThat(t.drift()).isEmpty();
    assertThat(t.changes()).isEmpty();
    assertThat(t.cluster()).isEqualTo("main");
    assertThat(t.ha()).contains(new DaemonStatus.Holding("paved-1", false, Optional.of("paved-1"), Optional.of(AT)));
    // The reported commit is the one this replica evaluated: its services' versions are real.
    assertThat(v.services()).singleElement().satisfies(x -> {
      assertThat(x.service()).isEqualTo("checkout");
      assertThat(x.commit()).contains("c2");
      assertThat(x.version()).contains("2.0.0");
      assertThat(x.team()).isEqualTo("payments");
      assertThat(x.sync()).isEqualTo(SyncState.SYNCED);
      assertThat(x.health()).isEqualTo("healthy");
    });

    // The holder at a commit this replica does not know: the services without a version.
    v = s.reported(requested, "paved-1", Optional.of(report(SyncState.SYNCED, "c9", "healthy")));
    assertThat(v.services()).singleElement().satisfies(x -> {
      assertThat(x.commit()).contains("c9");
      assertThat(x.version()).isEmpty();
    });

    // PARTIAL and degraded: which service failed only the holder knows.
    v = s.reported(requested, "paved-1", Optional.of(report(SyncState.PARTIAL, "c2", "degraded")));
    assertThat(v.target().sync()).isEqualTo(SyncState.PARTIAL);
    assertThat(v.target().health()).isEqualTo("degraded");
    assertThat(v.services()).singleElement().satisfies(x -> {
      assertThat(x.sync()).isEqualTo(SyncState.UNKNOWN);
      assertThat(x.health()).isEqualTo("unknown");
    });
  }

  @Test
  void withoutAReportTheStatusSaysItDoesNotKnowAndNamesTheHolder() {
    TargetStatus s = new TargetStatus("platform", "prod");
    TargetRequest old = request("c1", "1.0.0");
    s.synced(old, ChangeSet.empty(), SyncState.SYNCED, null, SYNCED_AT);

    TargetStatus.View v = s.reported(request("c2", "2.0.0"), "paved-1", Optional.empty());
    DaemonStatus.Target t = v.target();
    assertThat(t.sync()).isEqualTo(SyncState.UNKNOWN);
    assertThat(t.appliedCommit()).as("not this replica's c1").isEmpty();
    assertThat(t.lastSync()).isEmpty();
    assertThat(t.healthMessage()).isEqualTo("Replica paved-1 holds this target and has not reported its state.");
    assertThat(t.ha()).contains(new DaemonStatus.Holding("paved-1", false, Optional.empty(), Optional.empty()));
    assertThat(v.services()).singleElement().satisfies(x -> {
      assertThat(x.sync()).isEqualTo(SyncState.UNKNOWN);
      assertThat(x.commit()).isEmpty();
      assertThat(x.version()).isEmpty();
    });

    assertThat(s.reported(null, "", Optional.empty()).target().healthMessage())
        .isEqualTo("No replica holds this target now.");
  }

  @Test
  void aServicePageOfATargetHeldElsewhereShowsTheReportWithoutObjectsNorDrift() {
    TargetStatus s = new TargetStatus("platform", "prod");
    TargetStatus.View v = s.reported(request("c2", "2.0.0"), "paved-1",
        Optional.of(report(SyncState.SYNCED, "c2", "healthy")));
    assertThat(ServiceViews.reported("checkout", v)).hasValueSatisfying(e -> {
      assertThat(e.environment()).isEqualTo("prod");
      assertThat(e.appliedCommit()).contains("c2");
      assertThat(e.version()).isEqualTo("2.0.0");
      assertThat(e.sync()).isEqualTo(SyncState.SYNCED);
      assertThat(e.objects()).isEmpty();
      assertThat(e.drift()).isEmpty();
      assertThat(e.ha()).contains(new DaemonStatus.Holding("paved-1", false, Optional.of("paved-1"), Optional.of(AT)));
    });
    assertThat(ServiceViews.reported("cart", v)).as("no object of cart there").isEmpty();
  }

  @Test
  void theStatusJsonNamesTheHolder() throws Exception {
    DaemonStatus.Target t = new TargetStatus("platform", "prod")
        .reported(request("c2", "2.0.0"), "paved-1", Optional.of(report(SyncState.SYNCED, "c2", "healthy"))).target();
    var json = JSON.copy().registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
        .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).valueToTree(t);
    assertThat(json.path("ha").path("holder").asText()).isEqualTo("paved-1");
    assertThat(json.path("ha").path("here").asBoolean()).isFalse();
    assertThat(json.path("ha").path("reportedBy").asText()).isEqualTo("paved-1");
    assertThat(json.path("ha").path("reportedAt").asText()).isEqualTo("2026-12-02T15:00:00Z");
    assertThat(json.path("sync").asText()).isEqualTo("SYNCED");
  }

  private static HolderReport report(SyncState sync, String commit, String health) {
    return new HolderReport("paved-1", AT, sync, Optional.of(commit), health, "", Optional.of(SYNCED_AT),
        Optional.empty());
  }

  /** A request at {@code commit} with one service, checkout, at image tag {@code version}. */
  private static TargetRequest request(String commit, String version) {
    ObjectNode m = JSON.createObjectNode();
    m.put("apiVersion", "apps/v1").put("kind", "Deployment");
    ObjectNode meta = m.putObject("metadata");
    meta.put("name", "checkout").put("namespace", "prod");
    meta.putObject("labels").put(Labels.VERSION, version).put(Labels.TEAM, "payments");
    DesiredObject o = new DesiredObject(new ObjectKey("apps/v1", "Deployment", "prod", "checkout"), m, "checkout",
        Location.ofFile("services/checkout/service.yaml"), Map.of());
    Declarations.Cluster cluster = new Declarations.Cluster("main", "", "", Map.of(), List.of("prod"));
    return new TargetRequest(commit, new EnvironmentState("prod", "prod", "main", List.of(o)), cluster,
        PruneGuard.Policy.defaults(), Declarations.DriftMode.REPORT, x -> Set.of(), null);
  }
}
