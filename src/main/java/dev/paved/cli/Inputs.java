package dev.paved.cli;

import dev.paved.source.ConfigTree;
import dev.paved.source.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading a config repo directory for a command, with usage errors for bad paths. */
final class Inputs {

  private Inputs() {}

  /** The config repo in {@code dir}, its files read on the core's threads ({@link Main#coreWorkers()}). */
  static ConfigTree directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new UsageException("\"" + dir + "\" is not a directory; give the path of a config repo");
    }
    return DirectorySource.read(dir, Main.coreWorkers()::map);
  }
}
