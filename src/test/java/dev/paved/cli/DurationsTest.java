package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationsTest {

  @Test
  void parsesTheUsualForms() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void refusesAnythingElse() {
    for (String bad : new String[] {"", "5x", "m5", "5m junk", "P"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class);
    }
  }
}
