package dev.paved.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM's and the process's meters (Micrometer's own binders): memory ({@code jvm_memory_*},
 * {@code jvm_buffer_*}), GC ({@code jvm_gc_*}), threads ({@code jvm_threads_*}), classes
 * ({@code jvm_classes_*}), CPU ({@code system_cpu_*}, {@code process_cpu_usage}), uptime
 * ({@code process_uptime_seconds}, {@code process_start_time_seconds}) and open files
 * ({@code process_files_open_files}, {@code process_files_max_files}).
 */
final class JvmMetrics {

  private JvmMetrics() {}

  /** Binds every binder to {@code registry}; closing the result stops the GC listener. */
  static AutoCloseable bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return gc;
  }
}
