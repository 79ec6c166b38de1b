/**
 * The HTTP edge (Vert.x Web), only HTTP: health and readiness, Prometheus metrics, the status
 * API ({@link dev.paved.server.ApiServer}); who may call what: named tokens with permissions
 * ({@link dev.paved.server.ApiTokens}, {@link dev.paved.server.Access}); refresh and revert,
 * audited ({@link dev.paved.server.WriteEndpoints}, {@link dev.paved.server.AuditLog}); the TLS
 * pair ({@link dev.paved.server.TlsFiles}) and the tokens file reloaded when they change
 * ({@link dev.paved.server.WatchedFiles}); provider
 * webhooks, signature-checked, their repo found with {@link dev.paved.reconcile.DaemonApi#reposAt}
 * ({@link dev.paved.server.WebhookHandler}, pure checks in {@link dev.paved.server.Webhooks}); and
 * the running {@code paved serve} ({@link dev.paved.server.ServeRuntime}): Vert.x with its
 * blocked-thread checker and Micrometer metrics in the daemon's registry, and the ordered
 * shutdown. Polling and resyncs are the daemon's own. Handlers never block the event loop: they
 * call {@link dev.paved.reconcile.DaemonApi}, whose methods return at once; reading webhook
 * secrets, HMACs and the two large renderings (status JSON, Prometheus text) run on Vert.x workers.
 *
 * <p>May call: {@code reconcile} (DaemonApi and its records), {@code config} (the tokens file is
 * read with positions and its schema, as the daemon config), {@code source} (the revert's rules it
 * shares with {@code paved rollback}: {@link dev.paved.source.RevertReason}), {@code secret} (every
 * response body passes the scrubber), Vert.x, Micrometer, Jackson, Caffeine.
 */
package dev.paved.server;
