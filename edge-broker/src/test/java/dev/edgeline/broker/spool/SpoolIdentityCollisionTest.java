package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.LANE;
import static dev.edgeline.broker.spool.SpoolFixtures.oneLane;
import static dev.edgeline.broker.spool.SpoolFixtures.open;
import static dev.edgeline.broker.spool.SpoolFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.config.SpoolConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two publishers with one identity: a record whose identity is stored with other content is refused (never
 * acknowledged as a duplicate and dropped), a replay of the same content is a duplicate, after a restart too; the
 * stream's next records are not held behind the refusal.
 */
class SpoolIdentityCollisionTest {
    @TempDir
    Path dir;

    @Test
    void otherContentUnderAStoredIdentity_isRefused_theSameContentIsADuplicate_acrossARestart() throws Exception {
        SpoolConfig config = oneLane(dir.resolve("spool"), 64 << 10);
        try (SegmentedFileSpool spool = open(config)) {
            assertThat(spool.append(LANE, record(0, "21.5")).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record(1, "21.6")).join()).isEqualTo(AppendOutcome.APPENDED);
            assertThat(spool.append(LANE, record(0, "21.5")).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThatThrownBy(() -> spool.append(LANE, record(0, "99.9")).join()).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(IdentityCollisionException.class)
                    .hasMessageContaining("already holds boot 1 seq 0 with other content");
            assertThat(spool.append(LANE, record(2, "21.7")).join()).as("the stream goes on")
                    .isEqualTo(AppendOutcome.APPENDED);
        }
        try (SegmentedFileSpool reopened = open(config)) {
            assertThat(reopened.append(LANE, record(1, "21.6")).join()).isEqualTo(AppendOutcome.DUPLICATE);
            assertThatThrownBy(() -> reopened.append(LANE, record(1, "0.0")).join())
                    .cause().isInstanceOf(IdentityCollisionException.class);
            assertThat(readAll(reopened, "check")).extracting(r -> new String(r.payload(), StandardCharsets.UTF_8))
                    .containsExactly("21.5", "21.6", "21.7");
            assertThat(reopened.counters().refused()).isEqualTo(1);
        }
    }

    private static SpoolRecord record(long seq, String value) {
        return new SpoolRecord("pi-1", "temperature", 1, seq, "edge/pi-1/temperature", true, 1_700_000_000_000L,
                value.getBytes(StandardCharsets.UTF_8));
    }
}
