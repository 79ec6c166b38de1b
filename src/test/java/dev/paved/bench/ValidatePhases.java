package dev.paved.bench;

import dev.paved.config.ConfigLoader;
import dev.paved.config.LoadResult;
import dev.paved.config.Workers;
import dev.paved.desired.RenderResult;
import dev.paved.desired.Renderer;
import dev.paved.policy.Confinement;
import dev.paved.policy.PolicyEngine;
import dev.paved.source.ConfigTree;
import dev.paved.source.DirectorySource;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a cold {@code paved validate DIR} spends its time: the steps of {@code Evaluator} timed
 * one by one in a fresh JVM (started by {@link CliValidate} with the launcher's options), with
 * the JVM's own start (up to {@code main}), its GC and JIT time and the process CPU. Prints one
 * line of {@code name=ms} pairs.
 */
public final class ValidatePhases {

  private ValidatePhases() {}

  public static void main(String[] args) throws Exception {
    long main = ManagementFactory.getRuntimeMXBean().getUptime();
    Workers workers = dev.paved.cli.Main.coreWorkers();
    double c0 = cpu();
    long t0 = System.nanoTime();
    ConfigTree tree = DirectorySource.read(Path.of(args[0]), workers::map);
    long t1 = System.nanoTime();
    double c1 = cpu();
    LoadResult loaded = ConfigLoader.load(tree, workers);
    long t2 = System.nanoTime();
    double c2 = cpu();
    RenderResult rendered = Renderer.render(loaded.platform().orElseThrow(), tree.revision(), workers);
    long t3 = System.nanoTime();
    double c3 = cpu();
    int findings = PolicyEngine.evaluate(loaded.platform().get(), rendered, workers).size();
    long t4 = System.nanoTime();
    double c4 = cpu();
    for (List<?> confined : workers.map(List.copyOf(rendered.state().environments().values()),
        state -> Confinement.check(loaded.platform().get(), state))) {
      findings += confined.size();
    }
    long t5 = System.nanoTime();
    double c5 = cpu();
    System.out.printf("cpu ms: before-main+setup=%.0f read=%.0f load=%.0f render=%.0f policies=%.0f confinement=%.0f%n",
        c0, c1 - c0, c2 - c1, c3 - c2, c4 - c3, c5 - c4);
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += b.getCollectionTime();
    }
    double cpu = cpu();
    System.out.printf("wall ms: jvm-start=%d read=%d load=%d render=%d policies=%d confinement=%d total=%d gc=%d jit=%d"
            + " classes=%d cpu=%.0f findings=%d%n", main, ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t4, t5),
        ManagementFactory.getRuntimeMXBean().getUptime(), gc,
        ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
        ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(), cpu, findings);
    System.out.println("cpu ms by thread: " + threadCpu());
  }

  /**
   * CPU of this JVM's threads by what they do: the program (main and the core's workers), the
   * garbage collector, the JIT compiler, the rest (VM thread, class loading's helpers...).
   */
  private static java.util.Map<String, Long> threadCpu() throws java.io.IOException {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(t.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // USER_HZ 100
        String what = name.equals("java") || name.startsWith("paved-core") ? "program"
            : name.startsWith("GC Thread") || name.startsWith("G1") || name.startsWith("VM Periodic") ? "gc"
            : name.contains("Compiler") ? "jit" : name.equals("VM Thread") ? "vm" : "other";
        out.merge(what, ms, Long::sum);
      }
    }
    return out;
  }

  private static double cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e6;
  }

  private static long ms(long from, long to) {
    return (to - from) / 1_000_000;
  }
}
