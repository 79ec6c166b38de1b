package dev.paved.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed set of placeholders allowed in literal values ({@code ${service.name}},
 * {@code ${environment.name}}...). Not a template language: no expressions, no defaults.
 * {@code $${...}} writes a literal {@code ${...}}.
 */
public final class Placeholders {

  public static final java.util.List<String> NAMES = java.util.List.of("service.name", "service.team",
      "environment.name", "environment.tier", "environment.namespace", "cluster.name");
  private static final Pattern REF = Pattern.compile("\\$?\\$\\{([^}]*)}");

  private Placeholders() {}

  /** The expanded text, or the first unknown placeholder name when there is one. */
  public record Expansion(String value, Optional<String> unknown) {}

  public static Expansion expand(String text, Map<String, String> values) {
    if (text == null || !text.contains("${")) {
      return new Expansion(text, Optional.empty());
    }
    Matcher m = REF.matcher(text);
    StringBuilder out = new StringBuilder();
    String unknown = null;
    while (m.find()) {
      String whole = m.group();
      String replacement;
      if (whole.startsWith("$$")) {
        replacement = whole.substring(1);
      } else if (values.containsKey(m.group(1).trim())) {
        replacement = values.get(m.group(1).trim());
      } else {
        unknown = unknown == null ? m.group(1) : unknown;
        replacement = whole;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return new Expansion(out.toString(), Optional.ofNullable(unknown));
  }
}
