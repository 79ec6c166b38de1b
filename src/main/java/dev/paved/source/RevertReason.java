package dev.paved.source;

import java.util.Optional;

/**
 * The rule for a revert's reason, one place for every way a revert is asked: the revert API
 * ({@code reason}), {@code paved rollback --reason} and the daemon's automatic rollback. The
 * reason goes into the revert's commit message after "Rolled back by ...", so it is one line: a
 * line break would let a caller forge trailers ({@code Signed-off-by:}, {@code Co-authored-by:})
 * or make the message say something else; control characters (tabs, escapes, C1) and Unicode
 * line or paragraph separators are refused, and it is at most {@value #MAX_LENGTH} characters.
 */
public final class RevertReason {

  /** The longest reason, in characters. */
  public static final int MAX_LENGTH = 2000;

  private RevertReason() {}

  /**
   * What is wrong with {@code reason} (as given: it is stripped first), as the rest of a sentence
   * whose subject the caller names ({@code "reason"}, {@code --reason}); empty when it is fine.
   */
  public static Optional<String> problem(String reason) {
    if (reason == null) {
      return Optional.empty();
    }
    String r = reason.strip();
    if (!oneLine(r)) {
      return Optional.of("must be one line: control characters (line breaks, tabs, escapes) are refused, since the"
          + " reason goes into the revert's commit message");
    }
    if (r.length() > MAX_LENGTH) {
      return Optional.of("is longer than " + MAX_LENGTH + " characters");
    }
    return Optional.empty();
  }

  /** No control characters (C0, DEL, C1) and no Unicode line or paragraph separators. */
  public static boolean oneLine(String s) {
    return s.codePoints().noneMatch(RevertReason::breaks);
  }

  /**
   * {@code text} made into a reason the rule accepts: every run of refused characters becomes one
   * space, and it is cut at {@code max} characters (for reasons the daemon writes itself).
   */
  public static String flatten(String text, int max) {
    StringBuilder out = new StringBuilder();
    boolean gap = false;
    for (int c : text.codePoints().toArray()) {
      if (breaks(c)) {
        gap = true;
        continue;
      }
      if (gap && out.length() > 0) {
        out.append(' ');
      }
      gap = false;
      out.appendCodePoint(c);
    }
    String s = out.toString().strip();
    int limit = Math.min(max, MAX_LENGTH);
    if (s.length() <= limit) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(limit - 1)) ? limit - 1 : limit);
  }

  private static boolean breaks(int c) {
    return Character.getType(c) == Character.CONTROL || c == 0x2028 || c == 0x2029;
  }
}
