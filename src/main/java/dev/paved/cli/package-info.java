/**
 * The {@code paved} command line (picocli): {@code validate}, {@code render}, {@code diff}
 * (pull requests), {@code plan}, {@code apply} (one target, once), {@code rollback} (git
 * revert), {@code serve} (the daemon), {@code generate-completion}. Commands read a directory
 * or git revisions through {@code source}, evaluate them through {@code pipeline}, and act
 * through {@code plan}, {@code reconcile} and {@code server}; they hold no logic of their own
 * beyond arguments, output format and exit code ({@link dev.paved.cli.ExitCodes}).
 *
 * <p>May call every other package; nothing calls it.
 */
package dev.paved.cli;
