package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CloudEventTimeTest {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private final CloudEventTime time = new CloudEventTime();

    @Test
    void formatsUtcWithMilliseconds_evenWhenTheyAreZero() {
        assertThat(format(1_763_805_600_000L)).isEqualTo("2025-11-22T10:00:00.000Z");
        assertThat(format(1_763_805_600_007L)).isEqualTo("2025-11-22T10:00:00.007Z");
        assertThat(format(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(format(-1)).isEqualTo("1969-12-31T23:59:59.999Z");
    }

    @Test
    void agreesWithJavaTime_acrossSecondsDaysAndLeapYears_inAnyOrder() {
        SplittableRandom random = new SplittableRandom(7);
        long base = 1_700_000_000_000L;
        for (int i = 0; i < 200_000; i++) {
            // runs of nearby times (the cache's case) mixed with jumps of up to ~30 years either way
            long millis = i % 100 == 0 ? random.nextLong(0, 4_000_000_000_000L) : base + random.nextLong(-3_000, 3_000);
            if (i % 100 == 0) {
                base = millis;
            }
            assertThat(format(millis)).as("%d ms", millis).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(millis)));
        }
    }

    @Test
    void refusesYearsThatDoNotFitFourDigits() {
        assertThatThrownBy(() -> time.format(Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the years 0000-9999");
    }

    private String format(long millis) {
        return new String(time.format(millis), StandardCharsets.US_ASCII);
    }
}
