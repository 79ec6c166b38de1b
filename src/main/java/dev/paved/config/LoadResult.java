package dev.paved.config;

import java.util.List;
import java.util.Optional;

/**
 * What loading a config repo gave: the platform when it is valid, and every diagnostic found
 * (sorted). A platform is present only when there is no error.
 */
public record LoadResult(Optional<Platform> platform, List<Diagnostic> diagnostics) {

  public LoadResult {
    diagnostics = diagnostics.stream().sorted().toList();
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }
}
