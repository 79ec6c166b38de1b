package dev.paved.reconcile;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.ZonedDateTime;
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
 * HA and scale-out: the daemon replicas share the targets through Kubernetes Leases in namespace
 * {@code paved-system} ({@link LeaseStore}: one per target, one per replica), and this is the
 * loop that acquires, renews and releases the target Leases; what it holds is the
 * {@link HeldLeases}, the {@link TargetGate} every reconcile passes. The apiserver's optimistic
 * concurrency is the only arbiter: of two replicas racing for a Lease one wins.
 *
 * <p>Every {@code retryPeriod}, on its own thread, a round: announce this replica
 * ({@link ReplicaMembers}); list the Leases and note what changed ({@link LeaseObservations}:
 * live replicas, expiry on the local monotonic clock); decide ({@link LeaseShare}) which targets
 * to keep, take and give up (the fair share); renew the kept ones, release the surplus (holder
 * cleared: another replica takes it at once), take free ones. A replica stops working on a target
 * when it has not renewed its Lease for {@code renewDeadline}, shorter than {@code leaseDuration},
 * so it stops before any other replica may take the Lease over. At {@link #close} (SIGTERM, after
 * the daemon drained), every Lease is released and the member Lease deleted: the others take the
 * targets over at their next round.
 */
final class TargetLeases implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TargetLeases.class);

  /** What the lease manager tells the daemon. Called on the lease thread: must return at once. */
  interface Listener {
    /** This replica now holds the target: reconcile it. */
    void acquired(String repo, String environment);

    /** This replica no longer holds the target (lost, or given up): stop watching it. */
    void released(String repo, String environment);

    /** What this replica knows of a target it holds, written on its Lease at each renewal ({@link HolderReport}). */
    default Map<String, String> report(String repo, String environment) {
      return Map.of();
    }
  }

  /**
   * What the status shows: this replica, the live ones, who holds each known target, and the
   * annotations of each target's Lease (its holder's {@link HolderReport}).
   */
  record View(String identity, List<String> replicas, Map<String, String> holders,
      Map<String, Map<String, String>> annotations) {}

  private final LeaseStore store;
  private final DaemonConfig.Ha ha;
  private final String identity;
  private final Supplier<Set<String>> targets;
  private final Listener listener;
  private final DaemonMetrics metrics;
  private final ReplicaMembers members; // lease thread only
  private final LeaseObservations observations; // lease thread only
  private final ScheduledExecutorService loop;
  private final HeldLeases held;
  private volatile View view;
  private volatile boolean taking = true;
  private long rounds;

  /**
   * {@code client}: where the Leases are (closed with this); {@code identity}: this replica's
   * ({@link ReplicaMembers#identity}); {@code targets}: every target this replica knows
   * ({@link TargetGate#key}), asked each round.
   */
  TargetLeases(KubernetesClient client, DaemonConfig.Ha ha, String identity, Supplier<Set<String>> targets,
      Listener listener, DaemonMetrics metrics) {
    this.store = new LeaseStore(client, ha.leaseDuration());
    this.ha = ha;
    this.identity = identity;
    this.targets = targets;
    this.listener = listener;
    this.metrics = metrics;
    this.members = new ReplicaMembers(store, identity);
    this.observations = new LeaseObservations(identity, store.seconds());
    this.held = new HeldLeases(ha.renewDeadline());
    this.view = new View(identity, List.of(identity), Map.of(), Map.of());
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "paved-leases");
      t.setDaemon(true);
      return t;
    });
    metrics.leasesHeld(held::size);
  }

  String identity() {
    return identity;
  }

  /** Starts the rounds. The first only announces this replica: targets are taken from the second on. */
  TargetLeases start() {
    LOG.info("HA on: replica {} shares the targets through Leases in {} (lease {}, renew deadline {}, retry {})",
        identity, LeaseStore.NAMESPACE, ha.leaseDuration(), ha.renewDeadline(), ha.retryPeriod());
    long period = Math.max(1, ha.retryPeriod().toMillis());
    loop.scheduleWithFixedDelay(this::round, 0, period, TimeUnit.MILLISECONDS);
    return this;
  }

  /** What every reconcile and inventory write passes: open only on the targets this replica holds. */
  TargetGate gate() {
    return held;
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
      members.announce();
      List<Lease> all;
      try {
        all = store.list();
      } catch (KubernetesClientException e) {
        LOG.warn("cannot list the Leases in {} (renewing what is held): {}", LeaseStore.NAMESPACE,
            DaemonContext.message(e));
        renewAll(now);
        expire(now);
        return;
      }
      LeaseObservations.Round seen = observations.observe(all, now);
      members.forget(seen.gone());
      Map<String, Lease> observed = seen.targets();
      Map<String, LeaseShare.Observed> leases = new TreeMap<>();
      observed.forEach((key, lease) -> leases.put(key,
          new LeaseShare.Observed(LeaseStore.holder(lease), observations.expired(lease, now))));
      Set<String> known = new TreeSet<>(targets.get());
      for (String key : held.keys()) { // taken over while this replica could not renew: lost
        Lease l = observed.get(key);
        String holder = l == null ? "" : LeaseStore.holder(l);
        if (l != null && !identity.equals(holder) && !Objects.equals(l.getMetadata().getResourceVersion(),
            resourceVersionOf(key))) {
          lose(key, "taken over by " + (holder.isEmpty() ? "nobody" : holder));
        }
      }
      LeaseShare.Decision d = LeaseShare.decide(identity, known, seen.live(), leases, held.keys());
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
      publish(seen.live(), known, observed);
    } catch (RuntimeException | Error e) {
      // Never out of this method: a task of scheduleWithFixedDelay that throws is never run again,
      // and a replica whose rounds stopped would hold nothing and take nothing, silently.
      LOG.warn("lease round failed: {}", DaemonContext.message(e), e instanceof Error ? e : null);
    } finally {
      rounds++;
    }
  }

  private void renewAll(long now) {
    held.keys().forEach(k -> renew(k, now));
  }

  private void renew(String key, long now) {
    Lease last = held.lease(key);
    if (last == null) {
      return;
    }
    try {
      held.renewed(key, store.renew(last, LeaseStore.now(), report(key)), now);
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
    ZonedDateTime at = LeaseStore.now();
    Lease written;
    try {
      if (current == null) {
        written = store.createTarget(repo, environment, identity, at, report(key));
      } else {
        String previous = LeaseStore.holder(current);
        written = store.acquire(current, identity, at, report(key));
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
    held.add(key, written, now);
    metrics.leaseAcquired(repo, environment);
    LOG.info("replica {} now holds {}", identity, key);
    listener.acquired(repo, environment);
  }

  /**
   * Gives a target up: the Lease released (holder cleared) or deleted; never under a running
   * reconcile (false then: given up at a later round, once the reconcile ended).
   */
  private boolean giveUp(String key, boolean delete) {
    HeldLeases.Release r = held.release(key);
    if (r.lease() == null) {
      return !r.busy();
    }
    int slash = key.indexOf('/');
    release(r.lease(), delete);
    metrics.leaseReleased(key.substring(0, slash), key.substring(slash + 1));
    LOG.info("replica {} gives {} up ({})", identity, key, delete ? "no longer a target" : "over its fair share");
    listener.released(key.substring(0, slash), key.substring(slash + 1));
    return true;
  }

  private void release(Lease last, boolean delete) {
    try {
      if (delete) {
        store.delete(last);
      } else {
        store.release(last, LeaseStore.now());
      }
    } catch (KubernetesClientException e) {
      // Not released: it expires after leaseDuration instead.
      LOG.warn("cannot release the Lease {}: {}", last.getMetadata().getName(), DaemonContext.message(e));
    }
  }

  /** Targets not renewed within the renew deadline are lost: this replica stops working on them. */
  private void expire(long now) {
    held.stale(now).forEach(k -> lose(k, "not renewed within " + ha.renewDeadline()));
  }

  private void lose(String key, String why) {
    if (!held.remove(key)) {
      return;
    }
    int slash = key.indexOf('/');
    metrics.leaseLost(key.substring(0, slash), key.substring(slash + 1));
    LOG.warn("replica {} lost {}: {}; it stops working on it", identity, key, why);
    listener.released(key.substring(0, slash), key.substring(slash + 1));
  }

  private String resourceVersionOf(String key) {
    Lease l = held.lease(key);
    return l == null ? null : l.getMetadata().getResourceVersion();
  }

  /** The listener's report of a held target; nothing when it fails (the Lease is renewed all the same). */
  private Map<String, String> report(String key) {
    int slash = key.indexOf('/');
    try {
      return listener.report(key.substring(0, slash), key.substring(slash + 1));
    } catch (RuntimeException e) {
      LOG.debug("no report of {} on its Lease: {}", key, DaemonContext.message(e));
      return Map.of();
    }
  }

  private void publish(Set<String> live, Set<String> known, Map<String, Lease> observed) {
    Map<String, String> holders = new LinkedHashMap<>();
    Map<String, Map<String, String>> annotations = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (String key : known) {
      Lease l = observed.get(key);
      if (l != null && l.getMetadata().getAnnotations() != null) {
        annotations.put(key, Map.copyOf(l.getMetadata().getAnnotations()));
      }
      String h = l == null ? "" : LeaseStore.holder(l);
      holders.put(key, h.isEmpty() || observations.expired(l, now) ? "" : h);
    }
    held.keys().forEach(k -> holders.put(k, identity)); // what this replica took this very round
    metrics.replicas(live.size());
    view = new View(identity, List.copyOf(live), Map.copyOf(holders), Map.copyOf(annotations));
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
    Map<String, Lease> left = held.clear();
    left.forEach((k, l) -> release(l, false));
    if (!left.isEmpty()) {
      LOG.info("replica {} released {} at shutdown", identity, left.keySet());
    }
    members.leave();
    store.close();
  }
}
