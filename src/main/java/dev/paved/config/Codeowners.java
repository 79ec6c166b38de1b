package dev.paved.config;

import dev.paved.config.Declarations.Service;
import dev.paved.config.Declarations.Team;
import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reviews follow ownership: the CODEOWNERS file of a config repo, written from its teams. Each
 * service directory is reviewed by its team's owners; the platform's own files
 * ({@code platform.yaml}, {@code clusters/}, {@code environments/}, {@code policies/},
 * {@code teams/}) and the CODEOWNERS file itself by the platform's owners ({@code platform.yaml}).
 * Pure: {@code paved codeowners} prints it, {@code paved validate} warns when the committed one
 * differs.
 */
public final class Codeowners {

  /** Where GitHub and GitLab look for the file, in their order. */
  public static final List<String> LOCATIONS = List.of(".github/CODEOWNERS", "CODEOWNERS", ".gitlab/CODEOWNERS",
      "docs/CODEOWNERS");

  private static final List<String> PLATFORM_PATHS = List.of("/platform.yaml", "/clusters/", "/environments/",
      "/policies/", "/teams/", "/CODEOWNERS", "/.github/CODEOWNERS", "/.gitlab/CODEOWNERS", "/docs/CODEOWNERS");

  /** GitHub: one rule per line; GitLab: the same rules in sections. */
  public enum Format { github, gitlab }

  private Codeowners() {}

  /** The CODEOWNERS file of {@code platform}. */
  public static String render(Platform platform, Format format) {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by `paved codeowners" + (format == Format.gitlab ? " --format gitlab" : "")
        + "` from teams/ and platform.yaml: change those, then run it again.");
    lines.add("");
    List<String> platformOwners = platform.settings().owners();
    if (format == Format.gitlab) {
      lines.add("[Platform]");
    } else {
      lines.add("# The platform's files (owners in platform.yaml).");
    }
    if (platformOwners.isEmpty()) {
      lines.add("# (platform.yaml names no owners: these paths are unowned)");
    }
    for (String p : PLATFORM_PATHS) {
      lines.add(rule(p, platformOwners));
    }
    for (Team team : platform.teams().values()) {
      List<Service> services = platform.services().values().stream().filter(s -> s.team().equals(team.name()))
          .toList();
      if (services.isEmpty()) {
        continue;
      }
      lines.add("");
      lines.add(format == Format.gitlab ? "[Team " + team.name() + "]" : "# Team " + team.name() + " (" + team.file() + ").");
      for (Service s : services) {
        lines.add(rule("/services/" + s.name() + "/", team.owners()));
      }
    }
    return String.join("\n", lines) + "\n";
  }

  private static String rule(String path, List<String> owners) {
    return owners.isEmpty() ? path : path + " " + String.join(" ", owners);
  }

  /**
   * A warning when the tree holds a CODEOWNERS file (the first of {@link #LOCATIONS}) that is not
   * what {@link #render} gives (in the format it is written in: GitLab when it has sections).
   */
  public static Optional<Diagnostic> stale(ConfigTree tree, Platform platform) {
    for (String path : LOCATIONS) {
      Optional<SourceFile> f = tree.file(path);
      if (f.isEmpty()) {
        continue;
      }
      if (f.get().problemText().isPresent()) {
        return Optional.empty();
      }
      String committed = new String(f.get().bytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
      Format format = committed.lines().anyMatch(l -> l.startsWith("[")) ? Format.gitlab : Format.github;
      if (normalized(committed).equals(normalized(render(platform, format)))) {
        return Optional.empty();
      }
      return Optional.of(Diagnostic.warning(Location.ofFile(path), "stale-codeowners", path
          + " does not match the teams' owners; run: paved codeowners" + (format == Format.gitlab ? " --format gitlab" : "")
          + " > " + path));
    }
    return Optional.empty();
  }

  private static String normalized(String text) {
    return text.lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("").strip();
  }
}
