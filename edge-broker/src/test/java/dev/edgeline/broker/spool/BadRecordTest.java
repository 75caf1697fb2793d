package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.LANE;
import static dev.edgeline.broker.spool.SpoolFixtures.oneLane;
import static dev.edgeline.broker.spool.SpoolFixtures.open;
import static dev.edgeline.broker.spool.SpoolFixtures.readAll;
import static dev.edgeline.broker.spool.SpoolFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.Mark;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records the spool can never store, and identities at the end of the number range. */
class BadRecordTest {
    @TempDir
    Path dir;

    @Test
    void aRecordTooLargeForAFrame_isRefusedAlone_itsBatchNeighboursAreStored_andItsStreamIsNotHeld() throws Exception {
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            List<CompletableFuture<AppendOutcome>> appends = new ArrayList<>();
            appends.add(spool.append(LANE, record("a", 1, 0)));
            CompletableFuture<AppendOutcome> huge = spool.append(LANE, record("a", 1, 1, 17 << 20));
            for (int seq = 2; seq < 5; seq++) {
                appends.add(spool.append(LANE, record("a", 1, seq)));
                appends.add(spool.append(LANE, record("b", 1, seq)));
            }
            for (CompletableFuture<AppendOutcome> append : appends) {
                assertThat(append.get(10, TimeUnit.SECONDS)).isEqualTo(AppendOutcome.APPENDED);
            }
            assertThat(huge).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(RecordRefusedException.class)
                    .withMessageContaining("larger than the spool's frame limit");
            assertThat(readAll(spool, "t")).extracting(SpoolRecord::seq).containsExactly(0L, 2L, 2L, 3L, 3L, 4L, 4L);
            assertThat(spool.counters().refused()).isEqualTo(1);
        }
    }

    @Test
    void assignedIdentities_neverOverflow_neverFallBelowTheMark_andFollowAHigherBoot() {
        StreamMarks marks = new StreamMarks();
        StreamKey key = new StreamKey("gw/esp32", "lan/t");
        assertThat(marks.nextIdentity(key, 3)).hasValue(new Mark(3, 0));
        marks.raise(key, 5, 41);
        assertThat(marks.nextIdentity(key, 3)).as("mark from a higher boot").hasValue(new Mark(5, 42));
        assertThat(marks.nextIdentity(key, 6)).as("a new broker boot continues the seq").hasValue(new Mark(6, 42));
        marks.raise(key, 6, Long.MAX_VALUE);
        assertThat(marks.nextIdentity(key, 6)).hasValue(new Mark(7, 0));
        marks.raise(key, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(marks.nextIdentity(key, 6)).isEmpty();
    }

    @Test
    void thirdPartyRecords_afterANumberedOneAtTheTopOfTheRange_getFreshIdentities() throws Exception {
        try (Spool spool = open(oneLane(dir, 1 << 20))) {
            assertThat(spool.append(LANE, record("s", 2, Long.MAX_VALUE)).get(10, TimeUnit.SECONDS))
                    .isEqualTo(AppendOutcome.APPENDED);
            for (int i = 0; i < 3; i++) {
                assertThat(spool.append(LANE, record("s", 2, SpoolRecord.ASSIGN_SEQ)).get(10, TimeUnit.SECONDS))
                        .isEqualTo(AppendOutcome.APPENDED);
            }
            List<SpoolRecord> records = readAll(spool, "t");
            assertThat(records).extracting(r -> r.boot() + "/" + r.seq())
                    .containsExactly("2/" + Long.MAX_VALUE, "3/0", "3/1", "3/2");
        }
    }
}
