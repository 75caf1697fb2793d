package dev.edgeline.bridge;

import dev.edgeline.broker.spool.SpooledRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-lane sums over a batch of spool records: the bytes it holds, the positions after it. */
final class BatchLanes {
    private BatchLanes() {}

    /** {@code unread} plus the batch's bytes: what still waits while the batch is not committed. */
    static Map<String, Long> withBatch(Map<String, Long> unread, List<SpooledRecord> batch) {
        Map<String, Long> waiting = new LinkedHashMap<>(unread);
        perLane(batch, (record, bytes) -> bytes + record.nextPosition() - record.position())
                .forEach((lane, bytes) -> waiting.merge(lane, bytes, Long::sum));
        return waiting;
    }

    /** The spool positions once the batch is committed: per lane, the furthest of {@code committed} and the batch. */
    static Map<String, Long> positionsAfter(Map<String, Long> committed, List<SpooledRecord> batch) {
        Map<String, Long> after = new HashMap<>(committed);
        perLane(batch, (record, end) -> Math.max(end, record.nextPosition()))
                .forEach((lane, end) -> after.merge(lane, end, Math::max));
        return after;
    }

    /** A fold of the batch's records per lane, from 0, without boxing per record (a batch holds thousands). */
    private static Map<String, Long> perLane(List<SpooledRecord> batch, LaneFold fold) {
        Map<String, long[]> values = new LinkedHashMap<>();
        String lane = null;
        long[] value = null;
        for (SpooledRecord record : batch) {
            if (!record.lane().equals(lane)) { // a batch holds runs of one lane: one lookup per run
                lane = record.lane();
                value = values.computeIfAbsent(lane, l -> new long[1]);
            }
            value[0] = fold.apply(record, value[0]);
        }
        Map<String, Long> result = new LinkedHashMap<>();
        values.forEach((name, folded) -> result.put(name, folded[0]));
        return result;
    }

    @FunctionalInterface
    private interface LaneFold {
        long apply(SpooledRecord record, long value);
    }
}
