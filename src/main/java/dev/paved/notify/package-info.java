/**
 * Notifications: the daemon's events ({@link dev.paved.reconcile.DaemonEvent}) delivered to
 * people's tools — a generic webhook signed with an HMAC header, Slack-compatible incoming
 * webhooks, CloudEvents over HTTP — filtered by alerts (events, repos, environments, teams),
 * deduplicated, rate-limited and retried on threads of their own, so delivery never slows a
 * reconcile (as Flux's notification-controller separates providers from alerts).
 *
 * <p>May call: {@code reconcile} (the event type, duration parsing), {@code config}
 * (diagnostics, YAML documents), {@code secret} (every payload passes the scrubber), the JDK
 * HTTP client, Failsafe, Caffeine, Micrometer. Called by {@code cli} (wiring) and {@code server}
 * (status).
 */
package dev.paved.notify;
