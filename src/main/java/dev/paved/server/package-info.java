/**
 * The HTTP edge (Vert.x Web): health and readiness, Prometheus metrics, the status API,
 * refresh and revert endpoints (bearer token), and provider webhooks (signature-checked).
 * Handlers never block the event loop: they call {@link dev.paved.reconcile.DaemonApi}, whose
 * methods return at once.
 *
 * <p>May call: {@code reconcile} (DaemonApi and its records), Vert.x, Micrometer, Jackson.
 */
package dev.paved.server;
