package dev.paved.apply;

import dev.paved.desired.DesiredObject;
import dev.paved.config.Declarations.Team.Identity;
import dev.paved.desired.Labels;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whom the engine writes an object as, and the client it writes with: Paved's own client for
 * the environment's objects, and for a team's objects a client of the same cluster that
 * impersonates the team's identity ({@code Impersonate-User}, {@code Impersonate-Group}), one per
 * identity, kept while the engine lives. Close it to close those clients.
 */
final class Writers implements AutoCloseable {

  /** A client and its apply requests. */
  record Writer(KubernetesClient client, ApplyRequests requests) {}

  private final Writer own;
  /** Team → identity of the commit being applied; a team not in it is written as Paved. */
  private volatile Map<String, Identity> identities = Map.of();
  private final Map<Identity, Writer> teams = new ConcurrentHashMap<>();

  Writers(KubernetesClient client) {
    this.own = new Writer(client, new ApplyRequests(client));
  }

  void actAs(Map<String, Identity> identities) {
    this.identities = Map.copyOf(identities);
  }

  Map<String, Identity> identities() {
    return identities;
  }

  /** The identity {@code o} is written as: its team's, or empty for Paved itself (objects of no service). */
  Optional<Identity> identityOf(DesiredObject o) {
    if (o.service() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(identities.get(o.manifest().path("metadata").path("labels").path(Labels.TEAM).asText()));
  }

  Writer own() {
    return own;
  }

  Writer writer(Optional<Identity> identity) {
    return identity.map(id -> teams.computeIfAbsent(id, this::impersonating)).orElse(own);
  }

  private Writer impersonating(Identity id) {
    Config config = new ConfigBuilder(own.client().getConfiguration()).build();
    config.setImpersonateUsername(id.user());
    config.setImpersonateGroups(id.groups().toArray(String[]::new));
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(HttpClients.factory(config)).build();
    return new Writer(c, new ApplyRequests(c));
  }

  @Override
  public void close() {
    teams.values().forEach(w -> w.client().close());
    teams.clear();
  }
}
