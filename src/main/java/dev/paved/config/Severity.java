package dev.paved.config;

/** How bad a diagnostic is: an error blocks a commit, a warning is only reported. */
public enum Severity {
  ERROR, WARNING;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
