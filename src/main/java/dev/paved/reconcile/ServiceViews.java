package dev.paved.reconcile;

import dev.paved.config.Declarations.Service;
import dev.paved.pipeline.Evaluation;
import dev.paved.plan.ServiceHistory;
import dev.paved.policy.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds a service's page ({@link ServiceView}) from a repo's workers and history. */
final class ServiceViews {

  private ServiceViews() {}

  /**
   * {@code name}'s page; {@code here}: the service in one target, as this replica may show it
   * (its own knowledge, or with HA its holder's report: {@link #reported}).
   */
  static Optional<ServiceView> of(RepoWorker repo, String name, ApplyHistory applied,
      java.util.function.BiFunction<TargetWorker, String, Optional<ServiceView.Environment>> here) {
    Optional<Evaluation> good = repo.lastGood();
    Optional<Service> declared = good.flatMap(Evaluation::platform).map(p -> p.services().get(name));
    if (declared.isEmpty()) {
      return Optional.empty();
    }
    Optional<Evaluation> newest = repo.newest();
    List<ServiceView.Environment> envs = new ArrayList<>();
    for (TargetWorker t : repo.targets()) {
      here.apply(t, name).ifPresent(e -> envs.add(new ServiceView.Environment(e.environment(), e.cluster(),
          e.appliedCommit(), e.sync(), e.health(), e.version(), e.objects(), e.drift(),
          findings(newest, name, e.environment()), e.ha())));
    }
    List<ServiceView.Change> history = new ArrayList<>();
    for (ServiceHistory.Entry entry : repo.history.entries()) {
      List<ServiceView.EnvironmentChange> changes = entry.changes().stream().filter(c -> c.service().equals(name))
          .map(c -> new ServiceView.EnvironmentChange(c.environment(), c.change().name().toLowerCase(java.util.Locale.ROOT),
              c.objects(), List.copyOf(c.imagesBefore()), List.copyOf(c.imagesAfter()))).toList();
      if (changes.isEmpty()) {
        continue;
      }
      List<ApplyHistory.Applied> where = new ArrayList<>();
      for (ServiceView.EnvironmentChange c : changes) {
        applied.of(repo.repo.name(), c.environment()).stream().filter(a -> a.commit().equals(entry.commit().id()))
            .forEach(where::add);
      }
      history.add(new ServiceView.Change(entry.commit().id(), entry.commit().author(), entry.commit().time(),
          entry.commit().subject(), changes, where));
    }
    return Optional.of(new ServiceView(name, declared.get().team(), repo.repo.name(), envs, history));
  }

  /**
   * {@code service} in a target another replica holds ({@code view}: the target's status from its
   * holder's report, {@link TargetStatus#reported}): its reported state, no object health nor
   * drift (the holder's alone); empty when it has no object there.
   */
  static Optional<ServiceView.Environment> reported(String service, TargetStatus.View view) {
    DaemonStatus.Target t = view.target();
    return view.services().stream().filter(s -> s.service().equals(service)).findFirst()
        .map(s -> new ServiceView.Environment(t.environment(), t.cluster(), s.commit(), s.sync(), s.health(),
            s.version().orElse(""), List.of(), List.of(), List.of(), t.ha()));
  }

  private static List<ServiceView.Finding> findings(Optional<Evaluation> e, String service, String environment) {
    if (e.isEmpty()) {
      return List.of();
    }
    List<ServiceView.Finding> out = new ArrayList<>();
    for (Finding f : e.get().findings()) {
      if (service.equals(f.service()) && environment.equals(f.environment())) {
        out.add(new ServiceView.Finding(f.severity().name().toLowerCase(java.util.Locale.ROOT), f.policy(),
            f.location().toString(), f.message()));
      }
    }
    return out;
  }
}
