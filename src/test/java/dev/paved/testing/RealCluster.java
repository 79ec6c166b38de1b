package dev.paved.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class (or method) against a real Kubernetes control plane.
 *
 * <p>Shorthand for {@code @ExtendWith(KubeApiServerExtension.class)}; see {@link
 * KubeApiServerExtension} for what test methods receive and how the control plane is provided.
 * Tests using it are tagged {@code real-cluster}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(KubeApiServerExtension.class)
@Tag("real-cluster")
public @interface RealCluster {}
