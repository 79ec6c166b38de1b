package dev.paved.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.desired.ObjectKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorrectionLimitTest {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  private static final ObjectKey WEB = new ObjectKey("apps/v1", "Deployment", "shop", "web");
  private static final ObjectKey API = new ObjectKey("apps/v1", "Deployment", "shop", "api");

  @Test
  void allowsAtMostMaxCorrectionsOfAnObjectPerSlidingMinute() {
    CorrectionLimit limit = new CorrectionLimit(clock, 2);
    assertThat(limit.allow(WEB)).isTrue();
    now = now.plusSeconds(30);
    assertThat(limit.allow(WEB)).isTrue();
    assertThat(limit.allow(WEB)).isFalse();
    assertThat(limit.allow(API)).isTrue(); // counted per object
    now = now.plus(Duration.ofSeconds(31)); // the first correction is more than a minute old
    assertThat(limit.allow(WEB)).isTrue();
    assertThat(limit.allow(WEB)).isFalse();
  }

  @Test
  void forgetsObjectsNoLongerWatched() {
    CorrectionLimit limit = new CorrectionLimit(clock, 1);
    assertThat(limit.allow(WEB)).isTrue();
    assertThat(limit.allow(WEB)).isFalse();
    limit.retain(Set.of(API));
    assertThat(limit.allow(WEB)).isTrue();
  }
}
