package dev.paved.reconcile;

import dev.paved.apply.InventoryStore;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HA and scale-out: the daemon replicas share the targets through Kubernetes Leases
 * ({@code coordination.k8s.io/v1}) in namespace {@code paved-system}, one per target ({@code
 * paved-target-<repo>.<environment>}) and one per replica ({@code paved-replica-<identity>},
 * renewed like the others: the live replicas are those whose Lease is unexpired). The
 * apiserver's optimistic concurrency is the only arbiter: every create and update carries the
 * {@code resourceVersion} read, so of two replicas racing for a Lease one wins.
 *
 * <p>Every {@code retryPeriod}, on its own thread, a round: renew the member Lease; list the
 * Leases; decide ({@link LeaseShare}) which targets to keep, take and give up (the fair share);
 * renew the kept ones, release the surplus (holder cleared: another replica takes it at once),
 * take free ones. Like client-go's leader election, expiry is judged on the local monotonic clock
 * from when a Lease was last seen to change, never from the timestamps in it (other clocks may
 * be skewed); and a replica stops working on a target when it has not renewed its Lease for
 * {@code renewDeadline}, shorter than {@code leaseDuration}, so it stops before any other replica
 * may take the Lease over. At {@link #close} (SIGTERM, after the daemon drained), every Lease is
 * released and the member Lease deleted: the others take the targets over at their next round.
 */
final class TargetLeases implements TargetGate, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TargetLeases.class);

  static final String NAMESPACE = InventoryStore.NAMESPACE;
  /** {@code target} or {@code replica}. */
  static final String KIND_LABEL = "paved.dev/lease";
  static final String REPO_LABEL = "paved.dev/repo";
  static final String ENVIRONMENT_LABEL = "paved.dev/environment";

  /** What the lease manager tells the daemon. Called on the lease thread: must return at once. */
  interface Listener {
    /** This replica now holds the target: reconcile it. */
    void acquired(String repo, String environment);

    /** This replica no longer holds the target (lost, or given up): stop watching it. */
    void released(String repo, String environment);
  }

  /** What the status shows: this replica, the live ones, and who holds each known target. */
  record View(String identity, List<String> replicas, Map<String, String> holders) {}

  /** A held target: the Lease as last written, when its renewal was sent, who works on it. */
  private static final class Held {
    Lease lease;
    long renewedAt;
    int busy;
    boolean leaving;

    Held(Lease lease, long renewedAt) {
      this.lease = lease;
      this.renewedAt = renewedAt;
    }
  }

  /** A Lease as last seen, and when (local monotonic clock) it last changed. */
  private record Seen(String resourceVersion, String holder, long changedAt, int durationSeconds) {}

  private final KubernetesClient client;
  private final DaemonConfig.Ha ha;
  private final String identity;
  private final Supplier<Set<String>> targets;
  private final Listener listener;
  private final DaemonMetrics metrics;
  private final ScheduledExecutorService loop;
  private final Map<String, Held> held = new HashMap<>(); // guarded by `this`
  private final Map<String, Seen> seen = new HashMap<>(); // lease thread only
  private final Map<String, Lease> observed = new HashMap<>(); // lease thread only
  private volatile View view;
  private volatile boolean taking = true;
  private Lease member; // lease thread only
  private long rounds;

  /**
   * {@code targets}: every target this replica knows ({@link TargetGate#key}), asked each round.
   */
  TargetLeases(KubernetesClient client, DaemonConfig.Ha ha, String identity, Supplier<Set<String>> targets,
      Listener listener, DaemonMetrics metrics) {
    this.client = client;
    this.ha = ha;
    this.identity = identity;
    this.targets = targets;
    this.listener = listener;
    this.metrics = metrics;
    this.view = new View(identity, List.of(identity), Map.of());
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "paved-leases");
      t.setDaemon(true);
      return t;
    });
    metrics.leasesHeld(this::heldCount);
  }

  /** This replica's identity: {@code configured}, else {@code $PAVED_REPLICA_ID}, else host name and a random suffix. */
  static String identity(java.util.Optional<String> configured) {
    String raw = configured.orElseGet(() -> {
      String env = System.getenv("PAVED_REPLICA_ID");
      if (env != null && !env.isBlank()) {
        return env;
      }
      String host;
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "paved";
      }
      return host + "-" + java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt());
    });
    String id = raw.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-");
    id = id.length() > 50 ? id.substring(0, 50) : id;
    id = id.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    return id.isEmpty() ? "paved" : id;
  }

  String identity() {
    return identity;
  }

  /** Starts the rounds. The first only announces this replica: targets are taken from the second on. */
  TargetLeases start() {
    LOG.info("HA on: replica {} shares the targets through Leases in {} (lease {}, renew deadline {}, retry {})",
        identity, NAMESPACE, ha.leaseDuration(), ha.renewDeadline(), ha.retryPeriod());
    long period = Math.max(1, ha.retryPeriod().toMillis());
    loop.scheduleWithFixedDelay(this::round, 0, period, TimeUnit.MILLISECONDS);
    return this;
  }

  // ------------------------------------------------------------------ the gate

  @Override
  public synchronized boolean enter(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    if (h == null || h.leaving || !fresh(h, System.nanoTime())) {
      return false;
    }
    h.busy++;
    return true;
  }

  @Override
  public synchronized void exit(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    if (h != null && h.busy > 0) {
      h.busy--;
    }
  }

  @Override
  public synchronized boolean holds(String repo, String environment) {
    Held h = held.get(TargetGate.key(repo, environment));
    return h != null && fresh(h, System.nanoTime());
  }

  private boolean fresh(Held h, long now) {
    return now - h.renewedAt < ha.renewDeadline().toNanos();
  }

  private synchronized int heldCount() {
    return held.size();
  }

  View view() {
    return view;
  }

  /** No more targets taken (the daemon is stopping); those held stay held until {@link #close}. */
  void stopTaking() {
    taking = false;
  }

  // ------------------------------------------------------------------ a round

  private void round() {
    long now = System.nanoTime();
    try {
      heartbeat();
      List<Lease> all;
      try {
        all = client.leases().inNamespace(NAMESPACE).withLabel(KIND_LABEL).list().getItems();
      } catch (KubernetesClientException e) {
        LOG.warn("cannot list the Leases in {} (renewing what is held): {}", NAMESPACE, DaemonContext.message(e));
        renewAll(now);
        expire(now);
        return;
      }
      Set<String> live = observe(all, now);
      Map<String, LeaseShare.Observed> leases = new TreeMap<>();
      observed.forEach((key, lease) -> {
        Seen s = seen.get(lease.getMetadata().getName());
        leases.put(key, new LeaseShare.Observed(holder(lease), s == null || expired(s, now)));
      });
      Set<String> known = new TreeSet<>(targets.get());
      Set<String> mine;
      synchronized (this) {
        mine = new TreeSet<>(held.keySet());
      }
      for (String key : mine) { // taken over while this replica could not renew: lost
        Lease l = observed.get(key);
        if (l != null && !identity.equals(holder(l)) && !Objects.equals(l.getMetadata().getResourceVersion(),
            resourceVersionOf(key))) {
          lose(key, "taken over by " + (holder(l).isEmpty() ? "nobody" : holder(l)));
        }
      }
      synchronized (this) {
        mine = new TreeSet<>(held.keySet());
      }
      LeaseShare.Decision d = LeaseShare.decide(identity, known, live, leases, mine);
      for (String key : d.keep()) {
        renew(key, now);
      }
      for (String key : d.giveUp()) {
        if (!giveUp(key, false)) {
          renew(key, now); // a reconcile runs: kept (and renewed) until it ends
        }
      }
      for (String key : d.drop()) {
        if (!giveUp(key, true)) {
          renew(key, now);
        }
      }
      if (taking && rounds > 0) {
        for (String key : d.take()) {
          take(key, observed.get(key), now);
        }
      }
      expire(now);
      publish(live, known);
    } catch (RuntimeException e) {
      LOG.warn("lease round failed: {}", DaemonContext.message(e));
    } finally {
      rounds++;
    }
  }

  /** Creates or renews this replica's member Lease. */
  private void heartbeat() {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    try {
      if (member == null) {
        ensureNamespace();
        Lease fresh = new LeaseBuilder().withNewMetadata().withName(memberName(identity)).withNamespace(NAMESPACE)
            .addToLabels(KIND_LABEL, "replica").addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata()
            .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(seconds()).withAcquireTime(now)
            .withRenewTime(now).endSpec().build();
        Lease current = client.leases().inNamespace(NAMESPACE).withName(memberName(identity)).get();
        if (current == null) {
          member = client.leases().inNamespace(NAMESPACE).resource(fresh).create();
          return;
        }
        member = current;
      }
      Lease next = new LeaseBuilder(member).editSpec().withHolderIdentity(identity).withRenewTime(now)
          .withLeaseDurationSeconds(seconds()).endSpec().build();
      member = client.leases().inNamespace(NAMESPACE).resource(next).update();
    } catch (KubernetesClientException e) {
      member = null; // read again next round
      LOG.warn("cannot renew the Lease of replica {}: {}", identity, DaemonContext.message(e));
    }
  }

  /** Records when each Lease last changed; returns the live replicas. */
  private Set<String> observe(List<Lease> all, long now) {
    Set<String> live = new TreeSet<>();
    List<Lease> gone = new java.util.ArrayList<>();
    Map<String, Seen> next = new HashMap<>();
    observed.clear();
    for (Lease l : all) {
      String name = l.getMetadata().getName();
      Seen before = seen.get(name);
      String rv = l.getMetadata().getResourceVersion();
      int duration = l.getSpec() == null || l.getSpec().getLeaseDurationSeconds() == null ? seconds()
          : l.getSpec().getLeaseDurationSeconds();
      Seen s = before != null && before.resourceVersion().equals(rv) ? before : new Seen(rv, holder(l), now, duration);
      next.put(name, s);
      Map<String, String> labels = l.getMetadata().getLabels() == null ? Map.of() : l.getMetadata().getLabels();
      if ("replica".equals(labels.get(KIND_LABEL))) {
        if (!holder(l).isEmpty() && !expired(s, now)) {
          live.add(holder(l));
        } else if (!identity.equals(holder(l)) && now - s.changedAt() > 4 * TimeUnit.SECONDS.toNanos(duration)) {
          gone.add(l); // a replica gone for long (killed, its pod replaced): its Lease is of no use
        }
      } else if ("target".equals(labels.get(KIND_LABEL)) && labels.containsKey(REPO_LABEL)
          && labels.containsKey(ENVIRONMENT_LABEL)) {
        observed.put(TargetGate.key(labels.get(REPO_LABEL), labels.get(ENVIRONMENT_LABEL)), l);
      }
    }
    seen.clear();
    seen.putAll(next);
    for (Lease l : gone) {
      try {
        client.leases().inNamespace(NAMESPACE).resource(l).delete();
      } catch (KubernetesClientException e) {
        LOG.debug("Lease {} of a gone replica not deleted: {}", l.getMetadata().getName(), DaemonContext.message(e));
      }
    }
    live.add(identity);
    return live;
  }

  private static boolean expired(Seen s, long now) {
    return s.holder().isEmpty() || now - s.changedAt() > TimeUnit.SECONDS.toNanos(s.durationSeconds());
  }

  private void renewAll(long now) {
    Set<String> mine;
    synchronized (this) {
      mine = new TreeSet<>(held.keySet());
    }
    mine.forEach(k -> renew(k, now));
  }

  private void renew(String key, long now) {
    Lease last;
    synchronized (this) {
      Held h = held.get(key);
      if (h == null) {
        return;
      }
      last = h.lease;
    }
    Lease next = new LeaseBuilder(last).editSpec().withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
        .withLeaseDurationSeconds(seconds()).endSpec().build();
    try {
      Lease written = client.leases().inNamespace(NAMESPACE).resource(next).update();
      synchronized (this) {
        Held h = held.get(key);
        if (h != null) {
          h.lease = written;
          h.renewedAt = now;
        }
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        lose(key, "its Lease was changed by another replica");
      } else {
        LOG.warn("cannot renew the Lease of {} (working on it until {} without renewal): {}", key,
            ha.renewDeadline(), DaemonContext.message(e));
      }
    }
  }

  /** Takes a free target: creates its Lease, or updates the released or expired one as read. */
  private void take(String key, Lease current, long now) {
    int slash = key.indexOf('/');
    String repo = key.substring(0, slash);
    String environment = key.substring(slash + 1);
    ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC);
    Lease written;
    try {
      if (current == null) {
        ensureNamespace();
        written = client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
            .withName(targetName(repo, environment)).withNamespace(NAMESPACE).addToLabels(KIND_LABEL, "target")
            .addToLabels(REPO_LABEL, repo).addToLabels(ENVIRONMENT_LABEL, environment)
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().withNewSpec().withHolderIdentity(identity)
            .withLeaseDurationSeconds(seconds()).withAcquireTime(at).withRenewTime(at).withLeaseTransitions(0)
            .endSpec().build()).create();
      } else {
        String previous = holder(current);
        int transitions = current.getSpec().getLeaseTransitions() == null ? 0 : current.getSpec().getLeaseTransitions();
        written = client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(current).editSpec()
            .withHolderIdentity(identity).withLeaseDurationSeconds(seconds()).withAcquireTime(at).withRenewTime(at)
            .withLeaseTransitions(previous.equals(identity) ? transitions : transitions + 1).endSpec().build()).update();
        if (!previous.isEmpty() && !previous.equals(identity)) {
          LOG.info("took over {} from replica {} (its Lease expired)", key, previous);
        }
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        LOG.warn("cannot take the Lease of {}: {}", key, DaemonContext.message(e));
      }
      return; // 409: another replica was first
    }
    synchronized (this) {
      held.put(key, new Held(written, now));
    }
    metrics.leaseAcquired(repo, environment);
    LOG.info("replica {} now holds {}", identity, key);
    listener.acquired(repo, environment);
  }

  /**
   * Gives a target up: the Lease released (holder cleared) or deleted; never under a running
   * reconcile (false then: given up at a later round, once the reconcile ended).
   */
  private boolean giveUp(String key, boolean delete) {
    Lease last;
    synchronized (this) {
      Held h = held.get(key);
      if (h == null) {
        return true;
      }
      if (h.busy > 0) {
        return false;
      }
      h.leaving = true;
      last = h.lease;
      held.remove(key);
    }
    int slash = key.indexOf('/');
    release(last, delete);
    metrics.leaseReleased(key.substring(0, slash), key.substring(slash + 1));
    LOG.info("replica {} gives {} up ({})", identity, key, delete ? "no longer a target" : "over its fair share");
    listener.released(key.substring(0, slash), key.substring(slash + 1));
    return true;
  }

  private void release(Lease last, boolean delete) {
    try {
      if (delete) {
        client.leases().inNamespace(NAMESPACE).resource(last).delete();
      } else {
        client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder(last).editSpec().withHolderIdentity(null)
            .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build()).update();
      }
    } catch (KubernetesClientException e) {
      // Not released: it expires after leaseDuration instead.
      LOG.warn("cannot release the Lease {}: {}", last.getMetadata().getName(), DaemonContext.message(e));
    }
  }

  /** Targets not renewed within the renew deadline are lost: this replica stops working on them. */
  private void expire(long now) {
    Set<String> stale = new TreeSet<>();
    synchronized (this) {
      held.forEach((k, h) -> {
        if (!fresh(h, now)) {
          stale.add(k);
        }
      });
    }
    stale.forEach(k -> lose(k, "not renewed within " + ha.renewDeadline()));
  }

  private void lose(String key, String why) {
    synchronized (this) {
      if (held.remove(key) == null) {
        return;
      }
    }
    int slash = key.indexOf('/');
    metrics.leaseLost(key.substring(0, slash), key.substring(slash + 1));
    LOG.warn("replica {} lost {}: {}; it stops working on it", identity, key, why);
    listener.released(key.substring(0, slash), key.substring(slash + 1));
  }

  private synchronized String resourceVersionOf(String key) {
    Held h = held.get(key);
    return h == null ? null : h.lease.getMetadata().getResourceVersion();
  }

  private void publish(Set<String> live, Set<String> known) {
    Map<String, String> holders = new LinkedHashMap<>();
    for (String key : known) {
      Lease l = observed.get(key);
      String h = l == null ? "" : holder(l);
      holders.put(key, h.isEmpty() || (seen.containsKey(l.getMetadata().getName())
          && expired(seen.get(l.getMetadata().getName()), System.nanoTime())) ? "" : h);
    }
    synchronized (this) {
      held.keySet().forEach(k -> holders.put(k, identity)); // what this replica took this very round
    }
    metrics.replicas(live.size());
    view = new View(identity, List.copyOf(live), Map.copyOf(holders));
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops the rounds, releases every held Lease (the daemon drained first: nothing works on them)
   * and deletes the member Lease, so the other replicas take the targets over at their next round.
   */
  @Override
  public void close() {
    taking = false;
    loop.shutdown();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Map<String, Held> left;
    synchronized (this) {
      left = new TreeMap<>(held);
      held.clear();
    }
    left.forEach((k, h) -> release(h.lease, false));
    if (!left.isEmpty()) {
      LOG.info("replica {} released {} at shutdown", identity, left.keySet());
    }
    try {
      client.leases().inNamespace(NAMESPACE).withName(memberName(identity)).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("member Lease of {} not deleted: {}", identity, DaemonContext.message(e));
    }
    client.close();
  }

  // ------------------------------------------------------------------ names

  static String targetName(String repo, String environment) {
    return "paved-target-" + repo + "." + environment;
  }

  static String memberName(String identity) {
    return "paved-replica-" + identity;
  }

  private int seconds() {
    return (int) Math.max(1, (ha.leaseDuration().toMillis() + 999) / 1000);
  }

  private static String holder(Lease l) {
    return l.getSpec() == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
  }

  private boolean namespaceReady;

  private void ensureNamespace() {
    if (namespaceReady) {
      return;
    }
    try {
      if (client.namespaces().withName(NAMESPACE).get() == null) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).endMetadata().build())
            .fieldManager(Labels.MANAGER).forceConflicts().serverSideApply();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      // May not read namespaces (the chart's namespaced RBAC): the namespace is the chart's to make.
    }
    namespaceReady = true;
  }
}
