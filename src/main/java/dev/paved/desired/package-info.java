/**
 * Rendering: from a valid {@link dev.paved.config.Platform} and a commit id to the desired
 * state, the plain Kubernetes objects per environment ({@link dev.paved.desired.DesiredState}).
 *
 * <p>Pure and deterministic: the same input gives byte-identical YAML. {@link
 * dev.paved.desired.Renderer} is the one place where a field of {@code service.yaml} becomes
 * a field of a Kubernetes object. May call: {@code config}, Fabric8's model classes (builders
 * and serialization only, never a client), Jackson, Caffeine.
 */
package dev.paved.desired;
