package dev.paved.reconcile;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member announcements: this replica's member Lease ({@code paved-replica-<identity>}),
 * created or renewed every round so the other replicas count it live (and share the targets with
 * it), deleted when it leaves; and the member Leases of replicas gone for long, deleted. Which
 * replicas are live is {@link LeaseObservations}' to judge. Used on the lease thread only.
 */
final class ReplicaMembers {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaMembers.class);

  private final LeaseStore store;
  private final String identity;
  private Lease member;

  ReplicaMembers(LeaseStore store, String identity) {
    this.store = store;
    this.identity = identity;
  }

  /** This replica's identity: {@code configured}, else {@code $PAVED_REPLICA_ID}, else host name and a random suffix. */
  static String identity(Optional<String> configured) {
    String raw = configured.orElseGet(() -> {
      String env = System.getenv("PAVED_REPLICA_ID");
      if (env != null && !env.isBlank()) {
        return env;
      }
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "paved";
      }
      return host + "-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
    });
    String id = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-");
    id = id.length() > 50 ? id.substring(0, 50) : id;
    id = id.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    return id.isEmpty() ? "paved" : id;
  }

  /** Creates or renews this replica's member Lease; a failure is logged and the Lease read again next time. */
  void announce() {
    var now = LeaseStore.now();
    try {
      if (member == null) {
        Lease current = store.member(identity);
        if (current == null) {
          member = store.createMember(identity, now);
          return;
        }
        member = current;
      }
      member = store.renewMember(member, identity, now);
    } catch (KubernetesClientException e) {
      member = null; // read again next round
      LOG.warn("cannot renew the Lease of replica {}: {}", identity, DaemonContext.message(e));
    }
  }

  /** Deletes the member Leases of replicas gone for long ({@link LeaseObservations.Round#gone}). */
  void forget(List<Lease> gone) {
    for (Lease l : gone) {
      try {
        store.delete(l);
      } catch (KubernetesClientException e) {
        LOG.debug("Lease {} of a gone replica not deleted: {}", l.getMetadata().getName(), DaemonContext.message(e));
      }
    }
  }

  /** Deletes this replica's member Lease: the others stop counting it at their next round. */
  void leave() {
    try {
      store.deleteMember(identity);
    } catch (KubernetesClientException e) {
      LOG.debug("member Lease of {} not deleted: {}", identity, DaemonContext.message(e));
    }
  }
}
