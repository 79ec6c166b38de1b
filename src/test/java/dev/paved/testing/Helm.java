package dev.paved.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * The {@code helm} built by {@code scripts/control-plane ensure} (Maven runs it before the
 * integration tests), run as a process. Without it the calling test is skipped, except with
 * {@code CI=true} where that is a failure.
 */
public final class Helm {

  /** What a helm run printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private final Path binary;
  private final Path root;

  private Helm(Path binary, Path root) {
    this.binary = binary;
    this.root = root;
  }

  /** The checkout's helm; aborts the test (fails it with CI=true) when it is not built. */
  public static Helm find() {
    Path root = root();
    try {
      Process p = new ProcessBuilder("bash", root.resolve("scripts/control-plane").toString(), "bin-dir")
          .redirectErrorStream(true).start();
      String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(60, TimeUnit.SECONDS);
      Path helm = Path.of(dir.lines().reduce((a, b) -> b).orElse("")).resolve("helm");
      if (!Files.isExecutable(helm)) {
        String message = "helm is not built (" + helm + "): run scripts/control-plane ensure";
        if ("true".equals(System.getenv("CI"))) {
          throw new IllegalStateException(message);
        }
        throw new TestAbortedException(message);
      }
      return new Helm(helm, root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run scripts/control-plane bin-dir", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The checkout's root: {@code paved.basedir}, or the first parent of the working directory with scripts/. */
  public static Path root() {
    String basedir = System.getProperty("paved.basedir");
    Path start = Paths.get(basedir != null ? basedir : System.getProperty("user.dir")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/control-plane"))) {
        return dir;
      }
    }
    throw new IllegalStateException("scripts/control-plane not found from " + start);
  }

  /** The chart in this checkout. */
  public Path chart() {
    return root.resolve("charts/paved");
  }

  /** Runs {@code helm args...} with a private HOME for its caches; waits at most two minutes. */
  public Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    try {
      Path home = Files.createTempDirectory("paved-helm-");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish within 2 minutes");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
