package dev.paved.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command as a smoke test: {@code scripts/demo --once} brings up its own
 * control plane, follows a git repo made from examples/platform with {@code paved serve}, and
 * exits 0 once every target synced. Runs the jar this build packaged ({@code --no-build}).
 */
class DemoIT {

  @Test
  void theDemoSyncsEveryExampleTargetAndCleansUp() throws Exception {
    Path root = Path.of(System.getProperty("paved.basedir", ".")).toAbsolutePath();
    assertThat(root.resolve("target/paved.jar")).as("packaged before integration tests").exists();
    Path log = Files.createTempFile("paved-demo-", ".log");
    Process demo = new ProcessBuilder("bash", root.resolve("scripts/demo").toString(), "--once", "--no-build")
        .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = demo.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      demo.destroy();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(done).as(output).isTrue();
    assertThat(demo.exitValue()).as(output).isZero();
    assertThat(output).contains("every target synced")
        .containsPattern("checkout\\s+prod\\s+[0-9a-f]{12}\\s+SYNCED")
        .contains("target prod     on prod-eu  SYNCED")
        .contains("/api/v1/status");
    // The demo removed its state, its control plane and its daemon.
    String tmpDir = output.replaceAll("(?s).*state: (/[^)]*?)/cp\\).*", "$1");
    assertThat(Path.of(tmpDir)).doesNotExist();
    assertThat(ProcessHandle.allProcesses()
        .filter(h -> h.info().commandLine().map(c -> c.contains(tmpDir)).orElse(false)).toList())
        .as("no etcd, kube-apiserver or paved serve left behind").isEmpty();
  }
}
