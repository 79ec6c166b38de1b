/**
 * The HTTP edge (Vert.x Web): health and readiness, Prometheus metrics, the status API,
 * refresh and revert endpoints (bearer token), and provider webhooks (signature-checked)
 * ({@link dev.paved.server.ApiServer}); and the running {@code paved serve}
 * ({@link dev.paved.server.ServeRuntime}): Vert.x with its blocked-thread checker and Micrometer
 * metrics in the daemon's registry, the timers that poll each repo, and the ordered shutdown.
 * Handlers never block the event loop: they call {@link dev.paved.reconcile.DaemonApi}, whose
 * methods return at once; reading webhook secrets, HMACs and the two large renderings (status
 * JSON, Prometheus text) run on Vert.x workers.
 *
 * <p>May call: {@code reconcile} (DaemonApi and its records), Vert.x, Micrometer, Jackson.
 */
package dev.paved.server;
