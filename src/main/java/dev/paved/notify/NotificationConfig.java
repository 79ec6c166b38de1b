package dev.paved.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Diagnostic;
import dev.paved.config.YamlDocument;
import dev.paved.reconcile.DaemonEvent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code notifications:} of the daemon config: where to send events (sinks, like Flux's
 * Providers) and which events go where (alerts). Holds no secret: a Slack URL or an HMAC key is
 * named by file. The schema ({@code schema/daemon.schema.json}) checks the shapes; {@link #parse}
 * checks what spans fields, each problem at {@code file:line:col}.
 */
public record NotificationConfig(Optional<URI> dashboardUrl, Duration dedupeWindow, List<Sink> sinks,
    List<Alert> alerts) {

  public static final Duration DEFAULT_DEDUPE = Duration.ofMinutes(10);
  public static final int DEFAULT_RATE_PER_MINUTE = 60;

  public NotificationConfig {
    sinks = List.copyOf(sinks);
    alerts = List.copyOf(alerts);
  }

  public static NotificationConfig none() {
    return new NotificationConfig(Optional.empty(), DEFAULT_DEDUPE, List.of(), List.of());
  }

  /** How a sink formats and signs a message. */
  public enum SinkType { WEBHOOK, SLACK, CLOUDEVENTS }

  /**
   * One destination. Exactly one of {@code url} (not secret) and {@code urlFile} (a file holding
   * the URL, e.g. a Slack incoming webhook, whose URL is its credential).
   */
  public record Sink(String name, SinkType type, Optional<URI> url, Optional<Path> urlFile,
      Optional<Path> secretFile, int ratePerMinute) {}

  /** Which events go to which sinks; an empty filter matches everything. */
  public record Alert(List<String> sinks, Set<DaemonEvent.Type> events, Set<String> repos, Set<String> environments,
      Set<String> teams) {
    public Alert {
      sinks = List.copyOf(sinks);
      events = events.isEmpty() ? EnumSet.allOf(DaemonEvent.Type.class) : EnumSet.copyOf(events);
      repos = Set.copyOf(repos);
      environments = Set.copyOf(environments);
      teams = Set.copyOf(teams);
    }

    public boolean matches(DaemonEvent e) {
      return events.contains(e.type()) && (repos.isEmpty() || repos.contains(e.repo()))
          && (environments.isEmpty() || e.environment() != null && environments.contains(e.environment()))
          && (teams.isEmpty() || e.team() != null && teams.contains(e.team()));
    }
  }

  /**
   * The {@code notifications} of the daemon config {@code file}, which {@link
   * dev.paved.reconcile.DaemonConfig#load} has already read and validated against the schema.
   */
  public static NotificationConfig load(Path file) throws dev.paved.reconcile.DaemonConfig.InvalidConfigException {
    byte[] bytes;
    try {
      bytes = java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new dev.paved.reconcile.DaemonConfig.InvalidConfigException(List.of(Diagnostic.error(
          dev.paved.config.Location.ofFile(file.toString()), "unreadable", "cannot read the daemon config")));
    }
    dev.paved.config.YamlReader.Result parsed = dev.paved.config.YamlReader.read(file.toString(), bytes);
    if (!parsed.ok() || parsed.documents().size() != 1) {
      throw new dev.paved.reconcile.DaemonConfig.InvalidConfigException(parsed.diagnostics());
    }
    List<Diagnostic> problems = new ArrayList<>();
    Path base = file.toAbsolutePath().getParent();
    NotificationConfig config = parse(parsed.documents().get(0), base, problems);
    if (!problems.isEmpty()) {
      throw new dev.paved.reconcile.DaemonConfig.InvalidConfigException(problems.stream().sorted().toList());
    }
    return config;
  }

  /**
   * The {@code notifications} field of a daemon config document already validated against the
   * schema; problems are added to {@code problems}. Relative paths resolve against {@code base}.
   */
  public static NotificationConfig parse(YamlDocument doc, Path base, List<Diagnostic> problems) {
    JsonNode n = doc.tree().path("notifications");
    if (n.isMissingNode()) {
      return none();
    }
    Optional<URI> dashboard = Optional.empty();
    if (n.hasNonNull("dashboardUrl")) {
      dashboard = url(doc, "/notifications/dashboardUrl", problems);
    }
    Duration dedupe = n.hasNonNull("dedupeWindow")
        ? dev.paved.reconcile.DaemonConfig.parseDuration(n.path("dedupeWindow").asText()) : DEFAULT_DEDUPE;
    List<Sink> sinks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode s = n.path("sinks");
    for (int i = 0; i < s.size(); i++) {
      JsonNode sink = s.get(i);
      String p = "/notifications/sinks/" + i;
      String name = sink.path("name").asText();
      if (!names.add(name)) {
        problems.add(Diagnostic.error(doc.sourceMap().value(p + "/name"), "duplicate-name",
            "sink name \"" + name + "\" is used twice; names must be unique"));
      }
      SinkType type = SinkType.valueOf(sink.path("type").asText().toUpperCase(java.util.Locale.ROOT));
      Optional<URI> url = sink.hasNonNull("url") ? url(doc, p + "/url", problems) : Optional.empty();
      Optional<Path> urlFile = path(sink, "urlFile", base);
      Optional<Path> secretFile = path(sink, "secretFile", base);
      if (type == SinkType.SLACK && secretFile.isPresent()) {
        problems.add(Diagnostic.error(doc.sourceMap().value(p + "/secretFile"), "invalid-value",
            "a slack sink is not signed: its URL is its secret; put the URL in urlFile and remove secretFile"));
      }
      sinks.add(new Sink(name, type, url, urlFile, secretFile,
          sink.path("ratePerMinute").asInt(DEFAULT_RATE_PER_MINUTE)));
    }
    List<Alert> alerts = new ArrayList<>();
    JsonNode a = n.path("alerts");
    for (int i = 0; i < a.size(); i++) {
      JsonNode alert = a.get(i);
      List<String> to = strings(alert.path("sinks"));
      for (int j = 0; j < to.size(); j++) {
        if (!names.contains(to.get(j))) {
          problems.add(Diagnostic.error(doc.sourceMap().value("/notifications/alerts/" + i + "/sinks/" + j),
              "unknown-sink", "no sink is named \"" + to.get(j) + "\"; declare it under notifications.sinks"
                  + (names.isEmpty() ? "" : " (sinks: " + String.join(", ", new java.util.TreeSet<>(names)) + ")")));
        }
      }
      Set<DaemonEvent.Type> events = EnumSet.noneOf(DaemonEvent.Type.class);
      strings(alert.path("events")).forEach(e -> events.add(DaemonEvent.Type.ofId(e)));
      alerts.add(new Alert(to, events, Set.copyOf(strings(alert.path("repos"))),
          Set.copyOf(strings(alert.path("environments"))), Set.copyOf(strings(alert.path("teams")))));
    }
    return new NotificationConfig(dashboard, dedupe, sinks, alerts);
  }

  private static Optional<URI> url(YamlDocument doc, String pointer, List<Diagnostic> problems) {
    String text = doc.tree().at(pointer).asText();
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
        problems.add(Diagnostic.error(doc.sourceMap().value(pointer), "invalid-value",
            "not an http(s) URL; write e.g. https://hooks.example.com/paved"));
        return Optional.empty();
      }
      if (uri.getRawUserInfo() != null) {
        problems.add(Diagnostic.error(doc.sourceMap().value(pointer), "secret-in-config",
            "the URL holds credentials; remove them and name a file instead (urlFile, secretFile)"));
        return Optional.empty();
      }
      return Optional.of(uri);
    } catch (java.net.URISyntaxException e) {
      problems.add(Diagnostic.error(doc.sourceMap().value(pointer), "invalid-value",
          "not a valid URL; write e.g. https://hooks.example.com/paved"));
      return Optional.empty();
    }
  }

  private static Optional<Path> path(JsonNode node, String field, Path base) {
    return node.hasNonNull(field) ? Optional.of(base.resolve(node.path(field).asText()).normalize())
        : Optional.empty();
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(v -> out.add(v.asText()));
    return out;
  }
}
