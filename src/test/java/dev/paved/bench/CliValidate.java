package dev.paved.bench;

import dev.paved.source.ConfigTree;
import dev.paved.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code paved validate DIR} as a user runs it: {@code scripts/paved validate DIR} (which runs
 * {@code java @scripts/jvm/cli.options -XX:SharedArchiveFile=target/paved.jsa -jar target/paved.jar}), on the
 * {@link CoreBenchmark}'s generated repo written to disk, JVM start included. Per run: wall time,
 * peak RSS and CPU time of the process ({@code /usr/bin/time}), and the load average of the
 * machine; medians over {@code -Dbench.core.runs} runs (default 5). The baseline measured in the
 * same run is the JVM start alone ({@code scripts/paved --version}).
 */
final class CliValidate {

  private CliValidate() {}

  static void run(int[] sizes) throws Exception {
    Path basedir = Path.of(System.getProperty("paved.basedir", ".")).toAbsolutePath();
    Path jar = basedir.resolve("target/paved.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn package first (the bench profile does)");
    }
    int runs = Integer.getInteger("bench.core.runs", 5);
    // What a user runs: the launcher, which starts the jar with scripts/jvm/cli.options and the
    // class data sharing archive of `mvn package`. -Dbench.core.cliJvm="..." adds JVM options
    // after those (through PAVED_JAVA_OPTS, as a user would).
    List<String> java = List.of(basedir.resolve("scripts/paved").toString());
    String extra = System.getProperty("bench.core.cliJvm", "").strip();
    System.out.println("paved validate DIR as a user runs it: scripts/paved validate DIR"
        + (extra.isEmpty() ? "" : " with PAVED_JAVA_OPTS=\"" + extra + "\"") + "; the CDS archive "
        + (Files.isRegularFile(basedir.resolve("target/paved.jsa")) ? "present" : "absent"));
    System.out.println("(JVM start included; the repo on disk, page cache warm; " + runs + " runs per size, medians)");

    System.out.printf("%-9s %-7s %-8s %-8s %-11s %-8s %-8s %-7s %-12s %-14s%n", "services", "files", "objects",
        "wall s", "(min-max)", "RSS MiB", "(max)", "CPU s", "JVM start s", "load average");
    for (int n : sizes) {
      Path dir = basedir.resolve("target/bench/validate-" + n);
      ConfigTree tree = CoreBenchmark.generate(n);
      write(tree, dir);
      List<String> validate = new ArrayList<>(java);
      validate.addAll(List.of("validate", dir.toString()));
      List<String> version = new ArrayList<>(java);
      version.add("--version");
      // The JVM start alone (paved --version) before each run, as the baseline of the same moment.
      List<Run> starts = new ArrayList<>();
      List<Run> validates = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        starts.add(time(version, null));
        validates.add(time(validate, "OK:"));
      }
      Run m = Run.median(validates);
      Run start = Run.median(starts);
      System.out.printf("%-9d %-7d %-8s %-8.2f %-11s %-8d %-8d %-7.2f %-12.2f %-14s%n", n, tree.files().size(),
          m.objects, m.wall, String.format("%.2f-%.2f", Run.min(validates), Run.max(validates)), m.rssKib / 1024,
          validates.stream().mapToLong(Run::rssKib).max().orElse(0) / 1024, m.cpu, start.wall, m.load);
      System.out.println("  runs: wall s " + validates.stream().map(r -> String.format("%.2f", r.wall)).toList()
          + ", RSS MiB " + validates.stream().map(r -> r.rssKib / 1024).toList() + ", JVM start s "
          + starts.stream().map(r -> String.format("%.2f", r.wall)).toList() + ", load " + validates.stream()
          .map(Run::load).toList());
      if (Boolean.parseBoolean(System.getProperty("bench.core.phases", "true"))) {
        System.out.println("  where a cold run spends its time (one run, same JVM options and archive): "
            + phases(basedir, dir, extra));
      }
    }
  }

  /**
   * {@link ValidatePhases} in a JVM started like the launcher starts {@code paved} (its options
   * and archive; the benchmark's classes after the jar's, which the archive allows).
   */
  private static String phases(Path basedir, Path dir, String extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaCommand(), "@" + basedir.resolve("scripts/jvm/cli.options")));
    Path jsa = basedir.resolve("target/paved.jsa");
    if (Files.isRegularFile(jsa)) {
      command.add("-XX:SharedArchiveFile=" + jsa);
    }
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.split("\\s+")));
    }
    command.addAll(List.of("-cp", basedir.resolve("target/paved.jar") + java.io.File.pathSeparator
        + basedir.resolve("target/test-classes"), ValidatePhases.class.getName(), dir.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out.replace("\n", "; ") + " (load " + loadAverage() + ")";
  }

  /** One run of a command: wall and CPU seconds, peak RSS, the objects validate reported, the load before it. */
  private record Run(double wall, long rssKib, double cpu, String objects, String load) {
    static Run median(List<Run> runs) {
      List<Run> byWall = runs.stream().sorted(Comparator.comparingDouble(Run::wall)).toList();
      Run mid = byWall.get(runs.size() / 2);
      long[] rss = runs.stream().mapToLong(Run::rssKib).sorted().toArray();
      double[] cpu = runs.stream().mapToDouble(Run::cpu).sorted().toArray();
      return new Run(mid.wall, rss[rss.length / 2], cpu[cpu.length / 2], mid.objects, mid.load);
    }

    static double min(List<Run> runs) {
      return runs.stream().mapToDouble(Run::wall).min().orElse(Double.NaN);
    }

    static double max(List<Run> runs) {
      return runs.stream().mapToDouble(Run::wall).max().orElse(Double.NaN);
    }
  }

  /** Runs {@code command} under {@code /usr/bin/time}; fails unless it exits 0 and prints {@code expect}. */
  private static Run time(List<String> command, String expect) throws Exception {
    String load = loadAverage();
    Path times = Files.createTempFile("paved-bench-time-", ".txt");
    List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %M %U %S"));
    timed.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(timed).redirectErrorStream(true);
    String extra = System.getProperty("bench.core.cliJvm", "").strip();
    if (!extra.isEmpty()) {
      pb.environment().put("PAVED_JAVA_OPTS", extra);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (code != 0 || (expect != null && !out.contains(expect))) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + code + ":\n" + out);
    }
    String[] t = Files.readString(times).strip().split("\\s+");
    Files.delete(times);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) objects\\)").matcher(out);
    return new Run(Double.parseDouble(t[0]), Long.parseLong(t[1]), Double.parseDouble(t[2]) + Double.parseDouble(t[3]),
        m.find() ? m.group(1) : "-", load);
  }

  /** Writes {@code tree} to {@code dir}, replacing what was there. */
  static void write(ConfigTree tree, Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    for (SourceFile f : tree.files().values()) {
      Path p = dir.resolve(f.path());
      Files.createDirectories(p.getParent());
      Files.write(p, f.bytes());
    }
  }

  /** The 1-minute load average of the machine (others' work on it shows here). */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
