package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paved validate} on a few hundred random mutations of {@code examples/platform}:
 * whatever a user writes, the answer is diagnostics (exit 0 or 1), never an internal error, a
 * stack trace or a hang. Each run mutates the files one to three times (keys deleted, values
 * set to null, to the wrong type, to huge or unusual text, lists and maps swapped, keys
 * duplicated, files truncated, emptied, removed or renamed...), from a seed printed with any
 * failure: {@code mvn test -Dtest=ConfigMutationTest -Dpaved.mutation.seed=S
 * -Dpaved.mutation.runs=N} runs N mutations from seed S (default: a fixed seed, 300 runs).
 */
class ConfigMutationTest {

  private static final Path PLATFORM = Path.of("examples/platform");
  private static final long SEED = Long.getLong("paved.mutation.seed", 20261202L);
  private static final int RUNS = Integer.getInteger("paved.mutation.runs", 300);
  /** Far above a run's time (well under a second), even on a loaded machine. */
  private static final Duration HANG = Duration.ofSeconds(30);
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String[] ODD_TEXT = {"", " ", "-", "~", "null", "yes", "0x1F", "1e400", "-0",
      "9223372036854775808", "${service.name}", "${", "$${x}", "ünïcødé", "名前", "🚀🚀", "\u202Eevil", "a\u0000b",
      "e\u0301", "line\nbreak", "\t", "a: b", "- x", "&a", "*a", "!!binary AAAA", "{}", "[]", "---", "#",
      "..", "/", "registry.example.com/x@sha256:", "UPPER", "a".repeat(64), "http://", "prod", "dev"};

  @Test
  void noMutationOfTheExamplePlatformCrashesOrHangsValidate(@TempDir Path tmp) throws IOException {
    Map<String, byte[]> pristine = read(PLATFORM);
    List<String> failures = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      long seed = SEED + run;
      Random random = new Random(seed);
      Map<String, byte[]> files = new TreeMap<>(pristine);
      List<String> applied = new ArrayList<>();
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        applied.add(mutate(files, random));
      }
      Path repo = tmp.resolve("run-" + run);
      write(repo, files);
      String format = random.nextBoolean() ? "text" : "json";
      String reproduce = "seed " + seed + " (reproduce: -Dpaved.mutation.seed=" + seed
          + " -Dpaved.mutation.runs=1), mutations: " + applied + ", format " + format;
      try {
        Cli r = assertTimeoutPreemptively(HANG, () -> Cli.run("validate", "--format", format, repo.toString()),
            () -> "validate hung: " + reproduce);
        assertThat(r.exit()).as("exit code for %s%n%s%s", reproduce, r.out(), r.err())
            .isIn(ExitCodes.OK, ExitCodes.FINDINGS);
        assertThat(r.out() + r.err()).as("output for %s", reproduce)
            .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("internal error");
        if (format.equals("json")) {
          assertThat(YAML.readTree(r.out()).path("diagnostics").isArray()).as("JSON for %s", reproduce).isTrue();
        }
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
      deleteTree(repo);
    }
    assertThat(failures).as("%d of %d runs failed", failures.size(), RUNS).isEmpty();
  }

  // ---------------------------------------------------------------- mutations

  private static String mutate(Map<String, byte[]> files, Random random) {
    List<String> paths = new ArrayList<>(files.keySet());
    if (paths.isEmpty()) {
      return "nothing left to mutate";
    }
    String path = paths.get(random.nextInt(paths.size()));
    byte[] bytes = files.get(path);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int kind = random.nextInt(100);
    if (kind < 55) {
      JsonNode tree;
      try {
        tree = YAML.readTree(text);
      } catch (IOException e) {
        tree = null; // already broken by an earlier mutation: mutate its text instead
      }
      if (tree != null && tree.isContainerNode() && tree.size() > 0) {
        String what = mutateTree(tree, random);
        try {
          files.put(path, YAML.writeValueAsBytes(tree));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return what + " in " + path;
      }
    }
    if (kind < 85) {
      String what = mutateText(files, path, text, random);
      return what + " in " + path;
    }
    return mutateFiles(files, path, random);
  }

  /** Changes one node of {@code tree} (a map or list); says what it did. */
  private static String mutateTree(JsonNode tree, Random random) {
    List<String> pointers = new ArrayList<>();
    collect(tree, "", pointers);
    String pointer = pointers.get(random.nextInt(pointers.size()));
    int cut = pointer.lastIndexOf('/');
    JsonNode parent = tree.at(pointer.substring(0, cut));
    String token = pointer.substring(cut + 1).replace("~1", "/").replace("~0", "~");
    JsonNode current = tree.at(pointer);
    JsonNode replacement;
    String what;
    switch (random.nextInt(10)) {
      case 0 -> {
        if (parent instanceof ObjectNode o) {
          o.remove(token);
        } else {
          ((ArrayNode) parent).remove(Integer.parseInt(token));
        }
        return "deleted " + pointer;
      }
      case 1 -> {
        replacement = JsonNodeFactory.instance.nullNode();
        what = "null";
      }
      case 2 -> {
        replacement = switch (random.nextInt(5)) {
          case 0 -> JsonNodeFactory.instance.numberNode(random.nextInt(7) - 3);
          case 1 -> JsonNodeFactory.instance.booleanNode(random.nextBoolean());
          case 2 -> JsonNodeFactory.instance.numberNode(random.nextDouble() * 1e12);
          case 3 -> JsonNodeFactory.instance.numberNode(Long.MAX_VALUE);
          default -> JsonNodeFactory.instance.textNode(Integer.toString(random.nextInt(100000)));
        };
        what = "wrong type " + replacement;
      }
      case 3 -> {
        replacement = JsonNodeFactory.instance.textNode("x".repeat(20_000 + random.nextInt(200_000)));
        what = "huge string";
      }
      case 4 -> {
        replacement = JsonNodeFactory.instance.textNode(ODD_TEXT[random.nextInt(ODD_TEXT.length)]);
        what = "text " + replacement;
      }
      case 5 -> {
        // a list where a map is, a map where a list is, either where a scalar is
        if (current.isArray()) {
          ObjectNode map = JsonNodeFactory.instance.objectNode();
          for (int i = 0; i < current.size(); i++) {
            map.set("k" + i, current.get(i));
          }
          replacement = map;
        } else {
          ArrayNode list = JsonNodeFactory.instance.arrayNode();
          if (current.isObject()) {
            current.fields().forEachRemaining(e -> list.add(e.getValue()));
          } else {
            list.add(current);
          }
          replacement = list;
        }
        what = "list and map swapped";
      }
      case 6 -> {
        replacement = random.nextBoolean() ? JsonNodeFactory.instance.objectNode()
            : JsonNodeFactory.instance.arrayNode();
        what = "emptied to " + replacement;
      }
      case 7 -> {
        // a sibling's value (e.g. a port where a path is, a map where a number is)
        List<JsonNode> others = new ArrayList<>();
        parent.forEach(others::add);
        replacement = others.get(random.nextInt(others.size())).deepCopy();
        what = "value of a sibling";
      }
      case 8 -> {
        if (parent instanceof ObjectNode o) {
          String name = ODD_TEXT[random.nextInt(ODD_TEXT.length)];
          o.set(name.isEmpty() ? "unknownField" : name, current.deepCopy());
          return "added field \"" + name + "\" beside " + pointer;
        }
        ((ArrayNode) parent).add(current.deepCopy());
        return "list item repeated at " + pointer;
      }
      default -> {
        replacement = JsonNodeFactory.instance.numberNode(random.nextBoolean() ? -1 : 1_000_000_000);
        what = "out-of-range number";
      }
    }
    if (parent instanceof ObjectNode o) {
      o.set(token, replacement);
    } else {
      ((ArrayNode) parent).set(Integer.parseInt(token), replacement);
    }
    return what + " at " + pointer;
  }

  private static void collect(JsonNode node, String pointer, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        String p = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        out.add(p);
        collect(e.getValue(), p, out);
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        out.add(pointer + "/" + i);
        collect(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  /** Changes the text of one file; says what it did. */
  private static String mutateText(Map<String, byte[]> files, String path, String text, Random random) {
    String[] lines = text.split("\n", -1);
    int line = random.nextInt(lines.length);
    switch (random.nextInt(8)) {
      case 0 -> {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length());
        files.put(path, text.substring(0, at).getBytes(StandardCharsets.UTF_8));
        return "truncated at " + at;
      }
      case 1 -> {
        List<String> out = new ArrayList<>(List.of(lines));
        out.add(line, lines[line]);
        files.put(path, String.join("\n", out).getBytes(StandardCharsets.UTF_8));
        return "line " + (line + 1) + " repeated (duplicate key)";
      }
      case 2 -> {
        List<String> out = new ArrayList<>(List.of(lines));
        out.remove(line);
        files.put(path, String.join("\n", out).getBytes(StandardCharsets.UTF_8));
        return "line " + (line + 1) + " deleted";
      }
      case 3 -> {
        lines[line] = (random.nextBoolean() ? "  " : "\t") + lines[line];
        files.put(path, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        return "line " + (line + 1) + " indented";
      }
      case 4 -> {
        byte[] bytes = files.get(path).clone();
        if (bytes.length > 0) {
          bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80));
        }
        files.put(path, bytes);
        return "a byte made invalid UTF-8";
      }
      case 5 -> {
        String specials = "&:*!|>%@`{}[],#?-'\"\\";
        String odd = String.valueOf(specials.charAt(random.nextInt(specials.length())));
        int at = text.isEmpty() ? 0 : random.nextInt(text.length());
        files.put(path, (text.substring(0, at) + odd + text.substring(at)).getBytes(StandardCharsets.UTF_8));
        return "\"" + odd + "\" inserted at " + at;
      }
      case 6 -> {
        files.put(path, (text + "\n---\n" + text).getBytes(StandardCharsets.UTF_8));
        return "document repeated";
      }
      default -> {
        files.put(path, (random.nextBoolean() ? "" : "# only a comment\n").getBytes(StandardCharsets.UTF_8));
        return "emptied";
      }
    }
  }

  /** Removes, renames or copies a file; says what it did. */
  private static String mutateFiles(Map<String, byte[]> files, String path, Random random) {
    switch (random.nextInt(3)) {
      case 0 -> {
        files.remove(path);
        return "removed " + path;
      }
      case 1 -> {
        byte[] bytes = files.remove(path);
        String renamed = path.replaceFirst("[^/]+(?=\\.yaml$)", random.nextBoolean() ? "qa" : "Bad_Name");
        files.put(renamed, bytes);
        return "renamed " + path + " to " + renamed;
      }
      default -> {
        String copy = path.startsWith("services/")
            ? path.replaceFirst("^services/[^/]+/", "services/copy-" + random.nextInt(3) + "/")
            : path.replaceFirst("[^/]+(?=\\.yaml$)", "copy");
        files.put(copy, files.get(path));
        return "copied " + path + " to " + copy;
      }
    }
  }

  // ---------------------------------------------------------------- files

  private static Map<String, byte[]> read(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static void write(Path root, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    Files.createDirectories(root);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
