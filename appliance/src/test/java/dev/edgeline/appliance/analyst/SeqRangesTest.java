package dev.edgeline.appliance.analyst;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SeqRangesTest {
    @Test
    void rangesMergeInAnyOrder_duplicatesAreSeen_holesAreTheMissingRanges() {
        SeqRanges ranges = new SeqRanges();
        for (long seq : new long[] {5, 3, 4, 10, 12, 11, 0}) {
            assertThat(ranges.add(seq)).isTrue();
        }
        assertThat(ranges.add(4)).isFalse();
        assertThat(ranges.add(12)).isFalse();
        assertThat(ranges.holes()).containsExactly(new StreamAudit.Hole(1, 2), new StreamAudit.Hole(6, 9));
        assertThat(ranges.add(Long.MAX_VALUE)).isTrue();
        assertThat(ranges.add(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void agreesWithASetOfEverySeq_onShuffledInputWithRepeats() {
        Random random = new Random(42);
        List<Long> input = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            input.add((long) random.nextInt(3_000));
        }
        Collections.shuffle(input, random);
        SeqRanges ranges = new SeqRanges();
        TreeSet<Long> seen = new TreeSet<>();
        for (long seq : input) {
            assertThat(ranges.add(seq)).isEqualTo(seen.add(seq));
        }
        List<StreamAudit.Hole> expected = new ArrayList<>();
        Long previous = null;
        for (long seq : seen) {
            if (previous != null && seq > previous + 1) {
                expected.add(new StreamAudit.Hole(previous + 1, seq - 1));
            }
            previous = seq;
        }
        assertThat(ranges.holes()).isEqualTo(expected);
    }
}
