package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlReaderTest {

  private static final String FILE = "services/x/service.yaml";

  private static YamlReader.Result read(String text) {
    return YamlReader.read(FILE, text.getBytes(StandardCharsets.UTF_8));
  }

  private static Diagnostic onlyError(YamlReader.Result r) {
    assertThat(r.ok()).isFalse();
    assertThat(r.diagnostics()).hasSize(1);
    assertThat(r.diagnostics().get(0).isError()).isTrue();
    return r.diagnostics().get(0);
  }

  @Test
  void recordsOneBasedPositionsOfValuesAndKeys() {
    YamlReader.Result r = read("""
        name: checkout
        image:
          repository: registry.example.com/checkout
          tag: "1.10"
        ports:
          - name: http
            port: 8080
        """);

    assertThat(r.ok()).isTrue();
    assertThat(r.documents()).hasSize(1);
    SourceMap map = r.documents().get(0).sourceMap();
    assertThat(map.value("")).isEqualTo(new Location(FILE, 1, 1));
    assertThat(map.value("/name")).isEqualTo(new Location(FILE, 1, 7));
    assertThat(map.key("/image/tag")).isEqualTo(new Location(FILE, 4, 3));
    assertThat(map.value("/image/tag")).isEqualTo(new Location(FILE, 4, 8));
    assertThat(map.value("/ports/0")).isEqualTo(new Location(FILE, 6, 5));
    assertThat(map.value("/ports/0/port")).isEqualTo(new Location(FILE, 7, 11));
    assertThat(map.value("/ports/0/port").toString()).isEqualTo(FILE + ":7:11");
    // an unknown pointer falls back to its nearest located ancestor
    assertThat(map.value("/image/digest")).isEqualTo(new Location(FILE, 3, 3));
    // the original scalar text is kept (for quoting hints)
    assertThat(map.text("/image/tag")).contains("1.10");
  }

  @Test
  void duplicateKeyIsAnErrorAtTheSecondKey() {
    YamlReader.Result r = read("""
        team: payments
        image:
          tag: a
          tag: b
        """);

    Diagnostic d = onlyError(r);
    assertThat(d.location()).isEqualTo(new Location(FILE, 4, 3));
    assertThat(d.code()).isEqualTo("duplicate-key");
    assertThat(d.message()).contains("duplicate key \"tag\"").contains("line 3");
    assertThat(r.documents()).isEmpty();
  }

  @Test
  void malformedYamlIsADiagnosticWithAPositionNotAnException() {
    YamlReader.Result r = read("""
        team: payments
        image:
          repository: [a, b
        tag: x
        """);

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("yaml-syntax");
    assertThat(d.message()).startsWith("malformed YAML");
    assertThat(d.location().file()).isEqualTo(FILE);
    assertThat(d.location().line()).isBetween(3, 5);
    assertThat(d.location().column()).isPositive();
  }

  @Test
  void badIndentationIsReportedAtItsLine() {
    YamlReader.Result r = read("""
        a: 1
        b:
          c: 2
         d: 3
        """);

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("yaml-syntax");
    assertThat(d.location().line()).isEqualTo(4);
  }

  @Test
  void billionLaughsIsRefusedQuicklyWithAnAliasError() {
    String bomb = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """;
    // Refused by the alias cap before expanding (a hang guard, not a timing: the message says why).
    YamlReader.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> read(bomb));

    Diagnostic d = onlyError(r);
    assertThat(d.message()).contains("alias");
    assertThat(r.documents()).isEmpty();
  }

  @Test
  void fewAliasesThatExpandHugelyAreRefusedToo() {
    // 24 aliases (under the alias cap) but 3^8 x 200 scalars once expanded
    StringBuilder b = new StringBuilder("a0: &a0 [");
    for (int i = 0; i < 200; i++) {
      b.append(i == 0 ? "" : ",").append("x");
    }
    b.append("]\n");
    for (int level = 1; level <= 8; level++) {
      String prev = "*a" + (level - 1);
      b.append("a").append(level).append(": &a").append(level)
          .append(" [").append(prev).append(",").append(prev).append(",").append(prev).append("]\n");
    }
    // Refused by the node cap while expanding (a hang guard, not a timing: the code says why).
    YamlReader.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> read(b.toString()));

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("yaml-too-large");
    assertThat(d.message()).contains("aliases");
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    String deep = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    YamlReader.Result r = read(deep);

    Diagnostic d = onlyError(r);
    assertThat(d.location().file()).isEqualTo(FILE);
    assertThat(d.message()).containsIgnoringCase("nest");
  }

  @Test
  void nestingUpToTheLimitIsFine() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      b.append("  ".repeat(i)).append("k").append(i).append(":\n");
    }
    b.append("  ".repeat(30)).append("leaf: 1\n");
    YamlReader.Result r = read(b.toString());

    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.documents().get(0).tree().at("/k0/k1/k2/k3/k4/k5/k6/k7/k8/k9/k10/k11/k12/k13/k14/k15/k16"
        + "/k17/k18/k19/k20/k21/k22/k23/k24/k25/k26/k27/k28/k29/leaf").asInt()).isEqualTo(1);
  }

  @Test
  void yaml12BooleansOnlyTrueAndFalse() {
    YamlReader.Result r = read("""
        a: yes
        b: no
        c: on
        d: off
        e: true
        f: False
        g: y
        h: 1.10
        i: 0x1F
        j: ~
        """);

    var t = r.documents().get(0).tree();
    assertThat(t.get("a").isTextual()).isTrue();
    assertThat(t.get("a").asText()).isEqualTo("yes");
    assertThat(t.get("b").asText()).isEqualTo("no");
    assertThat(t.get("b").isTextual()).isTrue();
    assertThat(t.get("c").isTextual()).isTrue();
    assertThat(t.get("d").isTextual()).isTrue();
    assertThat(t.get("e").isBoolean()).isTrue();
    assertThat(t.get("e").booleanValue()).isTrue();
    assertThat(t.get("f").isBoolean()).isTrue();
    assertThat(t.get("f").booleanValue()).isFalse();
    assertThat(t.get("g").isTextual()).isTrue();
    assertThat(t.get("h").isNumber()).isTrue();
    assertThat(t.get("i").asInt()).isEqualTo(31);
    assertThat(t.get("j").isNull()).isTrue();
  }

  @Test
  void yaml12CoreSchemaNumbers() {
    var t = read("""
        octal: 0o17
        underscores: 1_000
        sexagesimal: 1:20
        leadingZero: 0123
        negative: -5
        float: 1.5e3
        infinity: .inf
        """).documents().get(0).tree();
    assertThat(t.get("octal").asInt()).isEqualTo(15);
    assertThat(t.get("underscores").isTextual()).as("YAML 1.1 only").isTrue();
    assertThat(t.get("sexagesimal").isTextual()).as("YAML 1.1 only").isTrue();
    assertThat(t.get("leadingZero").asInt()).as("decimal in YAML 1.2, not octal").isEqualTo(123);
    assertThat(t.get("negative").asInt()).isEqualTo(-5);
    assertThat(t.get("float").asDouble()).isEqualTo(1500.0);
    assertThat(t.get("infinity").isTextual()).as("not a finite number: kept as text").isTrue();
  }

  @Test
  void nonUtf8BytesAreAnEncodingError() {
    byte[] latin1 = "team: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    YamlReader.Result r = YamlReader.read(FILE, latin1);

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("encoding");
    assertThat(d.message()).contains("UTF-8");
    assertThat(d.location()).isEqualTo(Location.ofFile(FILE));
  }

  @Test
  void utf8TextIsRead() {
    YamlReader.Result r = read("description: caf\u00e9 \u2603\n");

    assertThat(r.ok()).isTrue();
    assertThat(r.documents().get(0).tree().get("description").asText()).isEqualTo("caf\u00e9 \u2603");
  }

  @Test
  void mergeKeyIsRefusedAtItsPosition() {
    YamlReader.Result r = read("""
        base: &base
          cpu: 100m
        resources:
          <<: *base
          memory: 1Gi
        """);

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("yaml-merge-key");
    assertThat(d.location()).isEqualTo(new Location(FILE, 4, 3));
    assertThat(d.message()).contains("<<");
  }

  @Test
  void quotedLessLessIsAnOrdinaryKey() {
    YamlReader.Result r = read("""
        "<<": x
        """);

    assertThat(r.ok()).isTrue();
    assertThat(r.documents().get(0).tree().get("<<").asText()).isEqualTo("x");
  }

  @Test
  void multipleDocumentsKeepTheirOwnPositionsAndEmptyOnesAreSkipped() {
    YamlReader.Result r = read("""
        a: 1
        ---
        ---
        b: 2
        """);

    assertThat(r.ok()).isTrue();
    assertThat(r.documents()).hasSize(2);
    assertThat(r.documents().get(1).tree().get("b").asInt()).isEqualTo(2);
    assertThat(r.documents().get(1).sourceMap().value("/b")).isEqualTo(new Location(FILE, 4, 4));
    assertThat(r.documents().get(1).index()).isEqualTo(2);
  }

  @Test
  void nonScalarKeyIsRefused() {
    YamlReader.Result r = read("""
        ? [a, b]
        : c
        """);

    Diagnostic d = onlyError(r);
    assertThat(d.code()).isEqualTo("yaml-key");
    assertThat(d.location().line()).isEqualTo(1);
  }

  @Test
  void anAliasRepeatsTheAnchoredSubtreeWithItsPositions() {
    YamlReader.Result r = read("""
        base: &b
          x: 1
          y: [a, b]
        use: *b
        """);

    assertThat(r.ok()).isTrue();
    YamlDocument doc = r.documents().get(0);
    assertThat(doc.tree().get("use")).isEqualTo(doc.tree().get("base"));
    assertThat(doc.tree().get("use").get("y").get(1).asText()).isEqualTo("b");
    // the repeated nodes are where the anchored ones were written
    assertThat(doc.sourceMap().value("/use/x")).isEqualTo(new Location(FILE, 2, 6));
    assertThat(doc.sourceMap().key("/use")).isEqualTo(new Location(FILE, 4, 1));
  }

  /**
   * Documents without anchors are built straight from SnakeYAML's parse events; the rest go
   * through its composer. Both must give the same trees, positions and diagnostics.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("streams")
  void readingFromEventsGivesWhatTheComposerGives(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    YamlReader.Result fromEvents = YamlReader.read(FILE, bytes, true);
    YamlReader.Result composed = YamlReader.read(FILE, bytes, false);

    assertThat(fromEvents.diagnostics()).isEqualTo(composed.diagnostics());
    assertThat(fromEvents.documents()).hasSameSizeAs(composed.documents());
    for (int i = 0; i < composed.documents().size(); i++) {
      YamlDocument a = fromEvents.documents().get(i);
      YamlDocument b = composed.documents().get(i);
      assertThat(a.index()).isEqualTo(b.index());
      assertThat(a.sourceMap()).isEqualTo(b.sourceMap());
      assertThat(a.tree()).isEqualTo(b.tree());
      assertThat(types(a.tree())).isEqualTo(types(b.tree()));
    }
  }

  /** The node classes of a tree (equal trees may hold an int here and a long there). */
  private static List<String> types(JsonNode n) {
    List<String> out = new ArrayList<>();
    out.add(n.getClass().getSimpleName());
    n.elements().forEachRemaining(child -> out.addAll(types(child)));
    return out;
  }

  static List<String> streams() {
    return List.of(
        "a: 1\nb: [1, 2, {c: d}]\n",
        "base: &b\n  x: 1\nuse: *b\n",
        "? [a, b]\n: c\nd: 1\n",
        "? {a: b}\n: c\n",
        "<<: {a: 1}\nb: 2\n",
        "'<<': 1\n",
        "x: !!str 123\ny: !!int \"12\"\nz: !!float \"1.5\"\nw: !!bool yes\nv: !!null x\nu: !foo bar\n",
        "a: !!int 0x1F\nb: !!int 0o17\nc: !!int 1_000\nd: !!float .inf\ne: !!int abc\n",
        "ints: [0, -1, +5, 007, 0o17, 0x1F, 1_000, 123456789012345678901234567890, 0o8]\n",
        "floats: [1.5, -.5, +1., 1e3, 1E-3, .inf, -.Inf, .NaN, 1.10, 1.7976931348623157e309]\n",
        "bools: [true, True, TRUE, false, yes, no, on, off, tRue]\n",
        "nulls: [~, null, Null, NULL, nUll, '', \"\"]\nempty:\nk: ~\n",
        "lit: |\n  line1\n  line2\nfold: >\n  a\n  b\n",
        "a: b\na: c\nb: {x: 1, x: 2}\n",
        "'a/b': 1\n'c~d': {e: 2}\n'': 3\n",
        "---\na: 1\n---\nb: 2\n...\n---\n",
        "",
        "# only a comment\n",
        "- a\n- b\n",
        "just a scalar\n",
        "a: [1, 2\nb: 3\n",
        "a: b\na: c\nd: [1, 2\n",
        "a: *undefined\n",
        "k: !!python/object:os.system ls\n",
        "k: !<tag:example.com,2000:foo> 42\n",
        "k: !!map {a: 1}\nl: !!seq [1]\nm: !!set {a, b}\n",
        "x: &a [*a]\n",
        "a: &a {x: [1, 2, 3]}\nb: [" + "*a, ".repeat(30) + "*a]\n",
        "a:" + " {b:".repeat(63) + " 1" + "}".repeat(63) + "\n",
        "a:" + " {b:".repeat(64) + " 1" + "}".repeat(64) + "\n",
        "? " + "[".repeat(70) + "]".repeat(70) + "\n: v\n",
        "a: [" + "1, ".repeat(260_000) + "1]\n",
        "\ufeffa: 1\n",
        "x: &s str\n*s : v\n",
        "a: ! 12\nb: ! true\nc: !!str\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n");
  }
}
