/**
 * Secret values kept out of everything Paved prints: the one {@link dev.paved.secret.Scrubber}
 * that every message reaching a log line, the status API, an API response, a metric or the CLI's
 * output passes, the Logback layout that runs it on every log line
 * ({@link dev.paved.secret.ScrubbingEncoder}), and the writer that runs it on the CLI's output
 * ({@link dev.paved.secret.ScrubbingWriter}).
 *
 * <p>The bottom of the package chain: every package may call it; it calls only the JDK and
 * Logback. Whoever reads a secret (git tokens and passwords, webhook secrets, API tokens,
 * kubeconfig credentials, signing keys) registers its value here as it reads it.
 */
package dev.paved.secret;
