package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of an apply, prune or plan, as data: one entry per object,
 * {@code Kind/namespace/name → action}, with a reason for failures, skips and holds.
 */
public record ChangeSet(List<Entry> entries) {

  public ChangeSet {
    entries = sorted(entries) ? List.copyOf(entries) : entries.stream().sorted(Comparator.comparing(Entry::key)).toList();
  }

  /** Whether {@code entries} are in key order already (what an engine's results mostly are: one pass, no sort). */
  private static boolean sorted(List<Entry> entries) {
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i - 1).key().compareTo(entries.get(i).key()) > 0) {
        return false;
      }
    }
    return true;
  }

  public static ChangeSet empty() {
    return new ChangeSet(List.of());
  }

  /** One object's outcome. */
  public record Entry(ObjectKey key, Action action, String reason) {
    public Entry {
      reason = reason == null ? "" : reason;
    }

    @Override
    public String toString() {
      return key + " " + action.label() + (reason.isEmpty() ? "" : ": " + reason);
    }
  }

  /** Both sets' entries in key order (this one's first among equal keys): merged, not sorted again. */
  public ChangeSet plus(ChangeSet other) {
    if (other.entries.isEmpty()) {
      return this;
    }
    if (entries.isEmpty()) {
      return other;
    }
    List<Entry> all = new ArrayList<>(entries.size() + other.entries.size());
    int i = 0;
    int j = 0;
    while (i < entries.size() && j < other.entries.size()) {
      all.add(entries.get(i).key().compareTo(other.entries.get(j).key()) <= 0 ? entries.get(i++)
          : other.entries.get(j++));
    }
    all.addAll(entries.subList(i, entries.size()));
    all.addAll(other.entries.subList(j, other.entries.size()));
    return new ChangeSet(all);
  }

  public Map<Action, Long> counts() {
    Map<Action, Long> c = new EnumMap<>(Action.class);
    for (Entry e : entries) {
      c.merge(e.action(), 1L, Long::sum);
    }
    return c;
  }

  public long count(Action action) {
    return entries.stream().filter(e -> e.action() == action).count();
  }

  /** True when some objects failed or conflict while others were applied. */
  public boolean partial() {
    return count(Action.FAILED) > 0 || count(Action.CONFLICT) > 0;
  }

  public List<Entry> of(Action action) {
    return entries.stream().filter(e -> e.action() == action).toList();
  }

  /** {@code 3 created, 1 configured, 20 unchanged}: non-zero counts in enum order. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    counts().forEach((a, n) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(a.label()));
    return b.length() == 0 ? "nothing to do" : b.toString();
  }
}
