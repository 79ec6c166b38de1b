/**
 * The {@code paved} command line (picocli): {@code validate}, {@code render}, {@code diff},
 * {@code completion}. Commands read a directory or git revisions through {@code source},
 * evaluate them through {@code pipeline}, and print through {@code plan}; they hold no logic
 * of their own beyond arguments, output format and exit code ({@link dev.paved.cli.ExitCodes}).
 *
 * <p>May call every other package; nothing calls it.
 */
package dev.paved.cli;
