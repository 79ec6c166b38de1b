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

  static Optional<ServiceView> of(RepoWorker repo, String name, ApplyHistory applied) {
    Optional<Evaluation> good = repo.lastGood();
    Optional<Service> declared = good.flatMap(Evaluation::platform).map(p -> p.services().get(name));
    if (declared.isEmpty()) {
      return Optional.empty();
    }
    Optional<Evaluation> newest = repo.newest();
    List<ServiceView.Environment> envs = new ArrayList<>();
    for (TargetWorker t : repo.targets()) {
      t.serviceView(name).ifPresent(e -> envs.add(new ServiceView.Environment(e.environment(), e.cluster(),
          e.appliedCommit(), e.sync(), e.health(), e.version(), e.objects(), e.drift(),
          findings(newest, name, e.environment()))));
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
