/**
 * Loading and validating a config repo: YAML with source positions, JSON Schema validation
 * per kind (schemas from {@code schema/}), cross-file checks, and the typed, immutable model
 * ({@link dev.paved.config.Platform}) with per-environment merging of a service
 * ({@link dev.paved.config.Workload}).
 *
 * <p>Pure: works on a {@link dev.paved.source.ConfigTree} already in memory and returns
 * values and {@link dev.paved.config.Diagnostic}s; it never throws for a user's mistake and
 * never does I/O. Per-file and per-workload work runs on the {@link dev.paved.config.Workers}
 * the caller gives (the whole core takes them from its caller, never the JVM's common pool).
 * May call: {@code source} (the tree type only), {@code secret} (every diagnostic's message
 * passes the scrubber), Jackson, SnakeYAML, networknt json-schema-validator.
 */
package dev.paved.config;
