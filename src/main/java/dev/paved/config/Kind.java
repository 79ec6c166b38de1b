package dev.paved.config;

/** The kinds of file in a config repo, each with its JSON Schema in {@code schema/}. */
public enum Kind {
  SERVICE("Service", "service.schema.json"),
  OVERRIDE("Override", "override.schema.json"),
  ENVIRONMENT("Environment", "environment.schema.json"),
  CLUSTER("Cluster", "cluster.schema.json"),
  POLICY("Policy", "policy.schema.json"),
  TEAM("Team", "team.schema.json"),
  /** {@code platform.yaml} at the repo root (optional). */
  PLATFORM("Platform", "platform.schema.json"),
  /** Not in a config repo: the daemon's own config file ({@code paved serve --config}). */
  DAEMON_CONFIG("DaemonConfig", "daemon.schema.json"),
  /** Not in a config repo: the daemon's API tokens file ({@code http.tokensFile}). */
  API_TOKENS("ApiTokens", "tokens.schema.json");

  private final String kindName;
  private final String schemaFile;

  Kind(String kindName, String schemaFile) {
    this.kindName = kindName;
    this.schemaFile = schemaFile;
  }

  /** The value of the {@code kind} field. */
  public String kindName() {
    return kindName;
  }

  /** The schema's file name in {@code schema/}. */
  public String schemaFile() {
    return schemaFile;
  }
}
