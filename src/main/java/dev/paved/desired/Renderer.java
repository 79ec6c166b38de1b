package dev.paved.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Declarations.Environment;
import dev.paved.config.Declarations.RawManifest;
import dev.paved.config.Diagnostic;
import dev.paved.config.Location;
import dev.paved.config.Platform;
import dev.paved.config.ServiceSpec;
import dev.paved.config.ServiceSpec.KeyRef;
import dev.paved.config.ServiceSpec.Port;
import dev.paved.config.ServiceSpec.Probe;
import dev.paved.config.SourceMap;
import dev.paved.config.Workload;
import dev.paved.config.Workloads;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Config to Kubernetes objects. For each environment and each service that runs there:
 * ServiceAccount, Deployment, Service (when ports are declared), HorizontalPodAutoscaler
 * (autoscaling), PodDisruptionBudget (staging/prod with more than one replica), Ingress
 * (route), and the service's raw manifests; plus the environment's Namespaces when it owns
 * them. Every object carries the {@code app.kubernetes.io/*} and {@code paved.dev/*} labels.
 */
public final class Renderer {

  /** Kinds known to be cluster-scoped: a raw manifest of these kinds gets no namespace. */
  public static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume",
      "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass",
      "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "APIService",
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
      "ValidatingAdmissionPolicyBinding", "CertificateSigningRequest", "FlowSchema",
      "PriorityLevelConfiguration");

  private static final String CONTAINER = "/spec/template/spec/containers/0";

  private Renderer() {}

  /** Resolves the workloads of {@code platform} and renders them at {@code commit}. */
  public static RenderResult render(Platform platform, String commit) {
    Workloads.Result resolved = Workloads.resolve(platform);
    List<Diagnostic> problems = new ArrayList<>(resolved.diagnostics());
    Map<String, List<DesiredObject>> byEnv = new TreeMap<>();
    for (Environment env : platform.environments().values()) {
      byEnv.put(env.name(), new ArrayList<>());
    }
    Map<String, Set<String>> namespaceTeams = new TreeMap<>();
    // Workloads render independently (pure functions): spread them over the cores, keep the order.
    List<List<DesiredObject>> rendered = resolved.workloads().parallelStream()
        .map(w -> renderWorkload(w, commit)).toList();
    for (int i = 0; i < rendered.size(); i++) {
      Workload w = resolved.workloads().get(i);
      byEnv.get(w.environment().name()).addAll(rendered.get(i));
      namespaceTeams.computeIfAbsent(w.environment().name() + "/" + w.namespace(), k -> new TreeSet<>()).add(w.team());
    }
    Map<String, EnvironmentState> states = new TreeMap<>();
    for (Environment env : platform.environments().values()) {
      List<DesiredObject> objects = byEnv.get(env.name());
      if (env.createNamespaces()) {
        namespaceTeams.forEach((key, teams) -> {
          if (key.startsWith(env.name() + "/")) {
            objects.add(namespace(env, key.substring(env.name().length() + 1), teams, commit));
          }
        });
      }
      problems.addAll(duplicates(objects));
      states.put(env.name(), new EnvironmentState(env.name(), env.tier(), env.cluster(), objects));
    }
    return new RenderResult(new DesiredState(commit, states), resolved.workloads(), problems);
  }

  private static List<Diagnostic> duplicates(List<DesiredObject> objects) {
    Map<ObjectKey, DesiredObject> seen = new HashMap<>();
    List<Diagnostic> out = new ArrayList<>();
    List<DesiredObject> unique = new ArrayList<>();
    for (DesiredObject o : objects) {
      DesiredObject first = seen.putIfAbsent(o.key(), o);
      if (first != null) {
        out.add(Diagnostic.error(o.origin(), "duplicate-object", o.key() + " is rendered twice, here and from "
            + first.origin() + "; rename one of them"));
      } else {
        unique.add(o);
      }
    }
    objects.clear();
    objects.addAll(unique);
    return out;
  }

  private static DesiredObject namespace(Environment env, String name, Set<String> teams, String commit) {
    Map<String, String> labels = new TreeMap<>(env.labels());
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    labels.put(Labels.ENVIRONMENT, env.name());
    if (teams.size() == 1) {
      labels.put(Labels.TEAM, teams.iterator().next());
    }
    ObjectMeta meta = new ObjectMetaBuilder().withName(name).withLabels(labels)
        .withAnnotations(annotations(env.file(), commit)).build();
    ObjectNode tree = Manifests.toTree(new NamespaceBuilder().withMetadata(meta).build());
    Location at = env.document().sourceMap().value("/namespace");
    return new DesiredObject(ObjectKey.of(tree), tree, null, at, Map.of());
  }

  private static Map<String, String> annotations(String file, String commit) {
    Map<String, String> a = new TreeMap<>();
    a.put(Labels.SOURCE_FILE, file);
    a.put(Labels.SOURCE_COMMIT, commit);
    return a;
  }

  /** Labels of every object of a workload (without the version, which changes per release). */
  static Map<String, String> labels(Workload w) {
    Map<String, String> l = new TreeMap<>(w.environment().labels());
    l.putAll(w.spec().labels());
    l.putAll(selector(w));
    l.put(Labels.MANAGED_BY, Labels.MANAGER);
    l.put(Labels.ENVIRONMENT, w.environment().name());
    l.put(Labels.SERVICE, w.name());
    l.put(Labels.TEAM, w.team());
    return l;
  }

  static Map<String, String> selector(Workload w) {
    Map<String, String> s = new TreeMap<>();
    s.put(Labels.NAME, w.name());
    s.put(Labels.INSTANCE, w.name() + "-" + w.environment().name());
    return s;
  }

  private static ObjectMeta meta(Workload w, String commit, Map<String, String> labels) {
    return new ObjectMetaBuilder().withName(w.name()).withNamespace(w.namespace()).withLabels(labels)
        .withAnnotations(annotations(w.service().file(), commit)).build();
  }

  private static List<DesiredObject> renderWorkload(Workload w, String commit) {
    ServiceSpec s = w.spec();
    List<DesiredObject> out = new ArrayList<>();
    Map<String, String> labels = labels(w);
    Location origin = w.service().document().location();
    Map<String, Location> common = new HashMap<>();
    common.put("/metadata/labels", w.locate("/labels"));
    common.put("/metadata/namespace", w.environment().document().sourceMap().value("/namespace"));

    out.add(object(w, Manifests.toTree(new ServiceAccountBuilder().withMetadata(meta(w, commit, labels))
        .withAutomountServiceAccountToken(false).build()), origin, common));

    Map<String, String> versioned = new TreeMap<>(labels);
    version(s.image()).ifPresent(v -> versioned.put(Labels.VERSION, v));
    Container container = container(w);
    DeploymentBuilder deployment = new DeploymentBuilder().withMetadata(meta(w, commit, versioned))
        .withNewSpec()
        .withNewSelector().withMatchLabels(selector(w)).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(versioned).endMetadata()
        .withNewSpec().withServiceAccountName(w.name()).withContainers(container).endSpec()
        .endTemplate()
        .endSpec();
    if (s.autoscaling() == null) {
      deployment.editSpec().withReplicas(s.replicas() == null ? 1 : s.replicas()).endSpec();
    }
    Map<String, Location> fields = new HashMap<>(common);
    fields.put("/metadata/labels", w.locate("/labels"));
    fields.put("/spec/replicas", w.locate("/replicas"));
    fields.put(CONTAINER + "/image", w.locate("/image"));
    fields.put(CONTAINER + "/image#repository", w.locate("/image/repository"));
    fields.put(CONTAINER + "/image#tag", w.locate(s.image().digest() != null ? "/image/digest" : "/image/tag"));
    fields.put(CONTAINER + "/resources", w.locate("/resources"));
    fields.put(CONTAINER + "/resources/requests", w.locate("/resources/requests"));
    fields.put(CONTAINER + "/resources/limits", w.locate("/resources/limits"));
    fields.put(CONTAINER + "/livenessProbe", w.locate("/probes/liveness"));
    fields.put(CONTAINER + "/readinessProbe", w.locate("/probes/readiness"));
    fields.put(CONTAINER + "/startupProbe", w.locate("/probes/startup"));
    fields.put(CONTAINER + "/ports", w.locate("/ports"));
    List<EnvVar> env = container.getEnv();
    for (int i = 0; i < env.size(); i++) {
      fields.put(CONTAINER + "/env/" + i, w.locate("/variables/" + SourceMap.token(env.get(i).getName())));
    }
    out.add(object(w, Manifests.toTree(deployment.build()), origin, fields));

    if (!s.ports().isEmpty()) {
      ServiceBuilder svc = new ServiceBuilder().withMetadata(meta(w, commit, labels)).withNewSpec()
          .withType("ClusterIP").withSelector(selector(w)).endSpec();
      for (Port p : s.ports()) {
        svc.editSpec().addToPorts(new ServicePortBuilder().withName(p.name()).withPort(p.port())
            .withTargetPort(new IntOrString(p.name())).withProtocol(p.protocolOrDefault()).build()).endSpec();
      }
      out.add(object(w, Manifests.toTree(svc.build()), w.locate("/ports"), common));
    }

    if (s.autoscaling() != null) {
      var hpa = new HorizontalPodAutoscalerBuilder().withMetadata(meta(w, commit, labels)).withNewSpec()
          .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(w.name()).endScaleTargetRef()
          .withMinReplicas(s.autoscaling().minReplicas()).withMaxReplicas(s.autoscaling().maxReplicas())
          .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
          .withType("Utilization").withAverageUtilization(s.autoscaling().targetOrDefault())
          .endTarget().endResource().endMetric()
          .endSpec().build();
      Map<String, Location> hpaFields = new HashMap<>(common);
      hpaFields.put("/spec/minReplicas", w.locate("/autoscaling/minReplicas"));
      hpaFields.put("/spec/maxReplicas", w.locate("/autoscaling/maxReplicas"));
      out.add(object(w, Manifests.toTree(hpa), w.locate("/autoscaling"), hpaFields));
    }

    int minReplicas = s.autoscaling() != null ? s.autoscaling().minReplicas() : s.replicas() == null ? 1 : s.replicas();
    if (w.environment().prodLike() && minReplicas > 1) {
      var pdb = new PodDisruptionBudgetBuilder().withMetadata(meta(w, commit, labels)).withNewSpec()
          .withMaxUnavailable(new IntOrString(1)).withNewSelector().withMatchLabels(selector(w)).endSelector()
          .endSpec().build();
      out.add(object(w, Manifests.toTree(pdb), w.locate(s.autoscaling() != null ? "/autoscaling" : "/replicas"), common));
    }

    if (s.route() != null) {
      String port = s.route().port() != null ? s.route().port() : s.ports().get(0).name();
      var backendPort = port.matches("\\d+")
          ? new io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPortBuilder().withNumber(Integer.parseInt(port)).build()
          : new io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPortBuilder().withName(port).build();
      IngressBuilder ingress = new IngressBuilder().withMetadata(meta(w, commit, labels)).withNewSpec()
          .withIngressClassName(s.route().ingressClassName())
          .addNewRule().withHost(s.route().host()).withNewHttp().addNewPath().withPath(s.route().pathOrDefault())
          .withPathType("Prefix").withNewBackend().withNewService().withName(w.name()).withPort(backendPort)
          .endService().endBackend().endPath().endHttp().endRule()
          .endSpec();
      if (s.route().tlsSecret() != null) {
        ingress.editSpec().addNewTl().withHosts(s.route().host()).withSecretName(s.route().tlsSecret()).endTl().endSpec();
      }
      Map<String, Location> ingressFields = new HashMap<>(common);
      ingressFields.put("/spec/rules/0/host", w.locate("/route/host"));
      out.add(object(w, Manifests.toTree(ingress.build()), w.locate("/route"), ingressFields));
    }

    for (RawManifest m : w.service().manifests()) {
      out.add(raw(w, m, labels, commit));
    }
    return out;
  }

  private static java.util.Optional<String> version(ServiceSpec.Image image) {
    if (image.digest() == null && image.tag() != null) {
      return java.util.Optional.of(image.tag());
    }
    return java.util.Optional.empty();
  }

  private static DesiredObject object(Workload w, ObjectNode tree, Location origin, Map<String, Location> fields) {
    return new DesiredObject(ObjectKey.of(tree), tree, w.name(), origin, fields);
  }

  private static Container container(Workload w) {
    ServiceSpec s = w.spec();
    ContainerBuilder c = new ContainerBuilder().withName(w.name()).withImage(s.image().reference())
        .withCommand(s.command()).withArgs(s.args());
    for (Port p : s.ports()) {
      c.addNewPort().withName(p.name()).withContainerPort(p.port()).withProtocol(p.protocolOrDefault()).endPort();
    }
    s.variables().forEach((name, v) -> c.addToEnv(envVar(name, v)));
    if (s.resources() != null) {
      c.withResources(resources(s.resources()));
    }
    if (s.probes() != null) {
      c.withLivenessProbe(probe(s.probes().liveness()));
      c.withReadinessProbe(probe(s.probes().readiness()));
      c.withStartupProbe(probe(s.probes().startup()));
    }
    return c.build();
  }

  private static EnvVar envVar(String name, ServiceSpec.Variable v) {
    EnvVarBuilder e = new EnvVarBuilder().withName(name);
    if (v.isLiteral()) {
      return e.withValue(v.literal()).build();
    }
    if (v.secret() != null) {
      KeyRef r = v.secret();
      return e.withNewValueFrom().withNewSecretKeyRef().withName(r.name()).withKey(r.key()).withOptional(r.optional())
          .endSecretKeyRef().endValueFrom().build();
    }
    KeyRef r = v.configMap();
    return e.withNewValueFrom().withNewConfigMapKeyRef().withName(r.name()).withKey(r.key()).withOptional(r.optional())
        .endConfigMapKeyRef().endValueFrom().build();
  }

  private static ResourceRequirements resources(ServiceSpec.Resources r) {
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    if (!r.requests().isEmpty()) {
      b.withRequests(quantities(r.requests()));
    }
    if (!r.limits().isEmpty()) {
      b.withLimits(quantities(r.limits()));
    }
    return b.build();
  }

  private static Map<String, Quantity> quantities(Map<String, String> in) {
    Map<String, Quantity> out = new TreeMap<>();
    in.forEach((k, v) -> out.put(k, new Quantity(v)));
    return out;
  }

  private static io.fabric8.kubernetes.api.model.Probe probe(Probe p) {
    if (p == null) {
      return null;
    }
    ProbeBuilder b = new ProbeBuilder().withInitialDelaySeconds(p.initialDelaySeconds())
        .withPeriodSeconds(p.periodSeconds()).withTimeoutSeconds(p.timeoutSeconds())
        .withFailureThreshold(p.failureThreshold());
    if (p.http() != null) {
      b.withNewHttpGet().withPath(p.http().path()).withPort(port(p.http().port())).endHttpGet();
    } else if (p.tcp() != null) {
      b.withNewTcpSocket().withPort(port(p.tcp().port())).endTcpSocket();
    } else {
      b.withNewExec().withCommand(p.exec().command()).endExec();
    }
    return b.build();
  }

  private static IntOrString port(String port) {
    return port.matches("\\d+") ? new IntOrString(Integer.parseInt(port)) : new IntOrString(port);
  }

  /**
   * The exit door: a raw manifest, passed through with Paved's labels and annotations, and
   * the service's namespace when it is namespaced and declares none.
   */
  private static DesiredObject raw(Workload w, RawManifest m, Map<String, String> labels, String commit) {
    ObjectNode tree = m.object();
    ObjectNode meta = tree.with("metadata");
    String kind = tree.path("kind").asText();
    if (!CLUSTER_SCOPED.contains(kind) && !meta.hasNonNull("namespace")) {
      meta.put("namespace", w.namespace());
    }
    // labels/annotations may be absent or written empty (null): both mean "none"
    JsonNode l = meta.path("labels");
    Map<String, String> merged = new TreeMap<>();
    l.fields().forEachRemaining(e -> merged.put(e.getKey(), e.getValue().asText()));
    labels.forEach((k, v) -> {
      if (k.startsWith("paved.dev/") || k.equals(Labels.MANAGED_BY) || !merged.containsKey(k)) {
        merged.put(k, v);
      }
    });
    meta.remove("labels");
    ObjectNode newLabels = meta.putObject("labels");
    merged.forEach(newLabels::put);
    JsonNode a = meta.path("annotations");
    Map<String, String> ann = new TreeMap<>();
    a.fields().forEachRemaining(e -> ann.put(e.getKey(), e.getValue().asText()));
    ann.putAll(annotations(m.file(), commit));
    meta.remove("annotations");
    ObjectNode newAnn = meta.putObject("annotations");
    ann.forEach(newAnn::put);
    Map<String, Location> fields = new LinkedHashMap<>(m.document().sourceMap().values());
    return new DesiredObject(ObjectKey.of(tree), tree, w.name(), m.document().location(), fields);
  }

  /** Whether a kind is known to be cluster-scoped. */
  public static boolean clusterScoped(JsonNode manifest) {
    return CLUSTER_SCOPED.contains(manifest.path("kind").asText());
  }
}
