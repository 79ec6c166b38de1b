package dev.paved.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.desired.Labels;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Whose the objects of a target are: Paved's, for one config repo and one environment. The
 * engine stamps every object it applies with {@code app.kubernetes.io/managed-by=paved},
 * {@code paved.dev/environment=<environment>} and {@code paved.dev/repo=<repo>}, and names the
 * target's inventory after both, so two repos with an environment of the same name on one
 * cluster never share an inventory nor touch each other's objects.
 *
 * <p>{@link #admit} decides, purely, whether an object that already exists may be applied: only
 * when it carries this owner's mark, or when git marks it for adoption ({@code
 * paved.dev/adopt: "true"}) and no other Paved owner claims it. An object marked by a Paved that
 * predates repo ids (managed-by paved, this environment, no repo label) is taken as this
 * owner's: the first sync after the upgrade stamps the repo on it.
 */
public record Owner(String repo, String environment) {

  /** The repo id of {@code paved apply} when the config repo declares none. */
  public static final String DEFAULT_REPO = "default";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public Owner {
    requireRepoId(repo);
  }

  /** {@code repo}, when it is a valid repo id (a DNS label); throws otherwise. */
  public static String requireRepoId(String repo) {
    if (repo == null || !DNS_LABEL.matcher(repo).matches()) {
      throw new IllegalArgumentException("repo id \"" + repo + "\" is not a DNS label (a-z, 0-9, -; at most 63)");
    }
    return repo;
  }

  /** What {@link #admit} decided for an existing object. */
  public enum Verdict { OWNED, ADOPTED, CONFLICT }

  /** A verdict, with the reason of a conflict. */
  public record Admission(Verdict verdict, String reason) {}

  /** The ownership labels the engine puts on every object it applies. */
  public Map<String, String> labels() {
    Map<String, String> l = new TreeMap<>();
    l.put(Labels.MANAGED_BY, Labels.MANAGER);
    l.put(Labels.ENVIRONMENT, environment);
    l.put(Labels.REPO, repo);
    return l;
  }

  /** {@code manifest} with this owner's labels added (in place). */
  public ObjectNode stamp(ObjectNode manifest) {
    ObjectNode labels = ((ObjectNode) manifest.with("metadata")).with("labels");
    labels().forEach(labels::put);
    return manifest;
  }

  /**
   * Whether {@code live} carries this owner's mark: managed by Paved, of this repo and this
   * environment. One of the two may be missing (the pre-repo-id mark has no repo; someone may
   * have removed the environment label, which the next apply restores), not both.
   */
  public boolean owns(JsonNode live) {
    JsonNode l = live.path("metadata").path("labels");
    boolean repoOk = repo.equals(l.path(Labels.REPO).asText());
    boolean envOk = environment.equals(l.path(Labels.ENVIRONMENT).asText());
    return Labels.MANAGER.equals(l.path(Labels.MANAGED_BY).asText())
        && (repoOk || !l.has(Labels.REPO) && envOk) && (envOk || !l.has(Labels.ENVIRONMENT) && repoOk);
  }

  /** The claim of another Paved owner on {@code live} ("repo X, environment Y"), if any. */
  public Optional<String> otherClaim(JsonNode live) {
    JsonNode l = live.path("metadata").path("labels");
    if (!Labels.MANAGER.equals(l.path(Labels.MANAGED_BY).asText()) || owns(live)) {
      return Optional.empty();
    }
    return Optional.of("repo \"" + (l.has(Labels.REPO) ? l.path(Labels.REPO).asText() : "?")
        + "\", environment \"" + l.path(Labels.ENVIRONMENT).asText() + "\"");
  }

  /** Whether {@code live}, which exists, may be applied with {@code desired}. */
  public Admission admit(JsonNode desired, JsonNode live) {
    if (owns(live)) {
      return new Admission(Verdict.OWNED, "");
    }
    Optional<String> other = otherClaim(live);
    if (other.isPresent()) {
      return new Admission(Verdict.CONFLICT, "exists and belongs to Paved for " + other.get() + ", not to "
          + "repo \"" + repo + "\", environment \"" + environment + "\"; nothing was written (remove it from the "
          + "other repo or environment, or rename it)");
    }
    if ("true".equals(desired.path("metadata").path("annotations").path(Labels.ADOPT).asText())) {
      return new Admission(Verdict.ADOPTED, "");
    }
    List<String> managers = managers(live);
    return new Admission(Verdict.CONFLICT, "exists and is not Paved's (field managers: "
        + (managers.isEmpty() ? "none" : String.join(", ", managers)) + "); nothing was written. To let Paved take "
        + "it over, annotate it in git with " + Labels.ADOPT + ": \"true\"");
  }

  /** The distinct field managers of {@code live}, in the order the apiserver lists them. */
  static List<String> managers(JsonNode live) {
    Set<String> out = new LinkedHashSet<>();
    live.path("metadata").path("managedFields").forEach(m -> out.add(m.path("manager").asText()));
    out.remove("");
    return new ArrayList<>(out);
  }
}
