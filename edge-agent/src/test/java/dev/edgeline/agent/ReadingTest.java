package dev.edgeline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadingTest {
    @Test
    void json_hasValueUnitTimestampAndClockState() {
        Reading reading = new Reading("pi-1", "temperature", 2, 7, 21.25, "°C",
                Instant.parse("2026-11-22T10:00:00.123Z"), true);
        assertThat(reading.toJson())
                .isEqualTo("{\"value\":21.25,\"unit\":\"°C\",\"ts\":\"2026-11-22T10:00:00.123Z\",\"clock_synced\":true}");
    }

    @Test
    void json_escapesUnits_andWritesIntegersPlainly() {
        Reading reading = new Reading("pi-1", "door", 1, 0, 1.0, "a\"b", Instant.EPOCH, false);
        assertThat(reading.toJson()).startsWith("{\"value\":1,\"unit\":\"a\\\"b\"");
    }
}
