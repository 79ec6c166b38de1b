package dev.paved.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import dev.paved.reconcile.DaemonConfig;
import picocli.CommandLine;

/** Parses {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 500ms}, a bare number of seconds, or ISO-8601 {@code PT2M}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

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
    try {
      return DaemonConfig.parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException("invalid duration \"" + value
          + "\"; use e.g. 90s, 5m, 1h30m or PT2M");
    }
  }

  static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
