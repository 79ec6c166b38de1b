package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.ObjectKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChangeSetTest {

  private static List<ChangeSet.Entry> entries(Random random, int n) {
    List<ChangeSet.Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ChangeSet.Entry(new ObjectKey(random.nextBoolean() ? "v1" : "apps/v1",
          List.of("Deployment", "Service", "ConfigMap").get(random.nextInt(3)), "ns" + random.nextInt(3),
          "o" + random.nextInt(20)), Action.values()[random.nextInt(Action.values().length)], "r" + i));
    }
    return out;
  }

  @Test
  void entriesAreInKeyOrderAndPlusIsTheSortedConcatenation() {
    for (long seed = 1; seed <= 300; seed++) {
      Random random = new Random(seed);
      List<ChangeSet.Entry> a = entries(random, random.nextInt(30));
      List<ChangeSet.Entry> b = entries(random, random.nextInt(30));
      if (random.nextBoolean()) {
        a.sort(Comparator.comparing(ChangeSet.Entry::key));
      }
      List<ChangeSet.Entry> both = new ArrayList<>(a);
      both.addAll(b);
      List<ChangeSet.Entry> expected = both.stream().sorted(Comparator.comparing(ChangeSet.Entry::key)).toList();

      assertThat(new ChangeSet(a).entries()).as("seed %d", seed)
          .containsExactlyElementsOf(a.stream().sorted(Comparator.comparing(ChangeSet.Entry::key)).toList());
      assertThat(new ChangeSet(a).plus(new ChangeSet(b)).entries()).as("seed %d", seed)
          .containsExactlyElementsOf(expected);
    }
  }
}
