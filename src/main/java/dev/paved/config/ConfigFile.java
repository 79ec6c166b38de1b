package dev.paved.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a file of a config repo belongs, found by its path alone: a declaration at the top
 * ({@code clusters/}, {@code environments/}, {@code policies/}, {@code teams/}, {@code platform.yaml}), a service, an override of a
 * service for one environment, a raw manifest, or a file Paved ignores (with a warning).
 */
sealed interface ConfigFile {

  Pattern YAML = Pattern.compile(".*\\.ya?ml");
  Pattern TOP = Pattern.compile("(clusters|environments|policies|teams)/([^/]+)\\.ya?ml");
  Pattern PLATFORM = Pattern.compile("platform\\.ya?ml");
  Pattern SERVICE = Pattern.compile("services/([^/]+)/service\\.ya?ml");
  Pattern OVERRIDE = Pattern.compile("services/([^/]+)/env/([^/]+)\\.ya?ml");
  Pattern MANIFEST = Pattern.compile("services/([^/]+)/manifests/.+\\.ya?ml");

  String path();

  /** The kind whose schema the file's one document must satisfy; null when it has none. */
  default Kind kind() {
    return null;
  }

  /**
   * {@code clusters/<name>.yaml}, {@code environments/<name>.yaml}, {@code policies/<name>.yaml},
   * {@code teams/<name>.yaml}, or {@code platform.yaml} (dir "", name "platform").
   */
  record Declaration(String path, String dir, String name, Kind kind) implements ConfigFile {}

  /** {@code services/<service>/service.yaml}. */
  record ServiceFile(String path, String service) implements ConfigFile {
    @Override
    public Kind kind() {
      return Kind.SERVICE;
    }
  }

  /** {@code services/<service>/env/<environment>.yaml}. */
  record OverrideFile(String path, String service, String environment) implements ConfigFile {
    @Override
    public Kind kind() {
      return Kind.OVERRIDE;
    }
  }

  /** {@code services/<service>/manifests/*.yaml}: any number of Kubernetes objects. */
  record ManifestFile(String path, String service) implements ConfigFile {}

  /** A YAML file in Paved's directories that matches none of the above. */
  record Ignored(String path) implements ConfigFile {}

  /** The file at {@code path}; null for a file Paved does not look at (outside its directories, or not YAML). */
  static ConfigFile of(String path) {
    if (!path.startsWith("services/") && !path.startsWith("clusters/") && !path.startsWith("environments/")
        && !path.startsWith("policies/") && !path.startsWith("teams/") && !path.startsWith("platform.")) {
      return null;
    }
    if (!YAML.matcher(path).matches()) {
      return null;
    }
    Matcher m;
    if ((m = TOP.matcher(path)).matches()) {
      Kind kind = switch (m.group(1)) {
        case "clusters" -> Kind.CLUSTER;
        case "environments" -> Kind.ENVIRONMENT;
        case "teams" -> Kind.TEAM;
        default -> Kind.POLICY;
      };
      return new Declaration(path, m.group(1), m.group(2), kind);
    }
    if (PLATFORM.matcher(path).matches()) {
      return new Declaration(path, "", "platform", Kind.PLATFORM);
    }
    if ((m = SERVICE.matcher(path)).matches()) {
      return new ServiceFile(path, m.group(1));
    }
    if ((m = OVERRIDE.matcher(path)).matches()) {
      return new OverrideFile(path, m.group(1), m.group(2));
    }
    if ((m = MANIFEST.matcher(path)).matches()) {
      return new ManifestFile(path, m.group(1));
    }
    return new Ignored(path);
  }
}
