package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The rules of reverting a commit of a config repo that lives in a sub-directory (the repo's end to end: ReverterTest). */
class RevertScopeTest {

  private static final List<String> INSIDE = List.of("config/services/checkout/service.yaml");
  private static final List<String> BOTH = List.of("config/services/checkout/service.yaml", "docs/README.md",
      "configuration.md");

  @Test
  void aCommitThatChangesNothingUnderThePathIsRefusedUnderEveryPolicy() {
    for (boolean pathOnly : List.of(false, true)) {
      RevertScope scope = new RevertScope("config", pathOnly);
      assertThatThrownBy(() -> scope.outside("1a2b3c4", List.of("docs/README.md", "config.yaml")))
          .isInstanceOf(RevertRefusedException.class)
          .hasMessage("commit 1a2b3c4 changes nothing under config (the config repo); it changes docs/README.md,"
              + " config.yaml. Nothing was pushed.");
      assertThatThrownBy(() -> scope.outside("1a2b3c4", List.of())).as("an empty commit")
          .isInstanceOf(RevertRefusedException.class);
    }
  }

  @Test
  void filesOutsideThePathAreRefusedOrLeftAlone() throws Exception {
    assertThat(new RevertScope("config", false).outside("1a2b3c4", INSIDE)).isEmpty();
    assertThat(new RevertScope("config", true).outside("1a2b3c4", INSIDE)).isEmpty();
    assertThat(new RevertScope("config", true).outside("1a2b3c4", BOTH))
        .as("a sibling named like the path is outside it").containsExactly("docs/README.md", "configuration.md");
    assertThatThrownBy(() -> new RevertScope("config", false).outside("1a2b3c4", BOTH))
        .isInstanceOf(RevertRefusedException.class)
        .hasMessage("commit 1a2b3c4 also changes files outside config (the config repo): docs/README.md,"
            + " configuration.md. Nothing was pushed. Ask to revert only its part under config"
            + " (pathOnly in the revert API,"
            + " --path-only in paved rollback), or revert it in git by hand.");
  }

  @Test
  void aRefusalNamesTenFilesOutsideAndCountsTheRest() {
    List<String> many = new java.util.ArrayList<>(INSIDE);
    IntStream.range(0, 13).forEach(i -> many.add("docs/page-" + (char) ('a' + i) + ".md"));
    assertThatThrownBy(() -> new RevertScope("config", false).outside("1a2b3c4", many))
        .hasMessageContaining("docs/page-j.md and 3 more. Nothing was pushed.")
        .hasMessageNotContaining("docs/page-k.md");
  }

  @Test
  void aRevertMustChangeSomethingUnderThePathUnlessTheRepoIsTheWholeRepository() throws Exception {
    new RevertScope("config", false).checkReverted("1a2b3c4", BOTH);
    new RevertScope("", false).checkReverted("1a2b3c4", List.of("docs/README.md"));
    assertThatThrownBy(() -> new RevertScope("config", false)
        .checkReverted("1a2b3c4", List.of("docs/README.md")))
        .isInstanceOf(RevertRefusedException.class).hasMessageContaining("changes nothing under config");
  }
}
