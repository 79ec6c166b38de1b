package dev.paved.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 500ms}, a bare number of seconds, or ISO-8601 {@code PT2M}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    if (v.startsWith("p")) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("invalid duration \"" + value + "\"");
      }
    }
    Matcher m = PART.matcher(v);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      });
      end = m.end();
    }
    if (end == 0 || end != v.length()) {
      throw new CommandLine.TypeConversionException("invalid duration \"" + value
          + "\"; use e.g. 90s, 5m, 1h30m or PT2M");
    }
    return d;
  }

  static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
