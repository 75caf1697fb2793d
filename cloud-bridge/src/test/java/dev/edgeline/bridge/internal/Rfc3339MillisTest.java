package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Rfc3339MillisTest {
    private final Rfc3339Millis time = new Rfc3339Millis();

    @Test
    void readsTheAgentsTimes() {
        assertThat(parse("2026-11-22T10:00:00.123Z")).isEqualTo(1_795_341_600_123L);
        assertThat(parse("2026-11-22T10:00:00Z")).isEqualTo(1_795_341_600_000L);
        assertThat(parse("1969-12-31T23:59:59.999Z")).isEqualTo(-1L);
    }

    @Test
    void agreesWithInstantParse_onWhatItAcceptsAndWhatItRefuses() {
        for (String text : List.of("2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
                "2026-11-22T23:59:60Z", "2026-11-22t10:00:00z", "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00.1234567891Z",
                "2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00.123456789Z", "2026-11-22T10:00:00+01:00",
                "+12026-11-22T10:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-13-01T00:00:00Z",
                "2026-00-10T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22 10:00:00Z", "2026-11-2210:00:00Z",
                "20261122T100000Z", "", "Z", "2026-11-22T1a:00:00Z", "2026-1/-22T10:00:00Z")) {
            assertThat(parse(text)).as(text).isEqualTo(reference(text));
        }
    }

    @Test
    void agreesWithInstantParse_onRandomTimesAndDamagedOnes_acrossDates() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] noise = "0123456789-:.TZtz+ ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
            long nanos = random.nextInt(1_000_000_000);
            String text = Instant.ofEpochSecond(Math.floorDiv(millis, 1000), nanos).toString();
            if (random.nextInt(4) == 0) {
                byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                bytes[random.nextInt(bytes.length)] = noise[random.nextInt(noise.length)];
                text = new String(bytes, StandardCharsets.US_ASCII);
            }
            assertThat(parse(text)).as(text).isEqualTo(reference(text));
        }
    }

    @Test
    void readsTheTimeInPlace_inALargerBuffer() {
        byte[] json = "{\"ts\":\"2026-11-22T10:00:00.123Z\"}".getBytes(StandardCharsets.US_ASCII);
        assertThat(time.parse(json, 7, 31)).isEqualTo(1_795_341_600_123L);
    }

    private long parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return time.parse(bytes, 0, bytes.length);
    }

    private static long reference(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return Rfc3339Millis.INVALID;
        }
    }
}
