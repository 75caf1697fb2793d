package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.LaneLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the spool's writer thread has done since open (records stored, duplicates, refusals, fsyncs and their times,
 * gap markers per lane) and the immutable {@link SpoolCounters} snapshot other threads read. Counted on the writer
 * thread only; {@link #current()} from any thread.
 */
final class WriterTally {
    private long appended;
    private long duplicates;
    private long refused;
    private long fsyncs;
    private long fsyncNanos;
    private long fsyncMaxNanos;
    private final long[] gapMarkers;
    private volatile SpoolCounters current;

    WriterTally(int laneCount) {
        this.gapMarkers = new long[laneCount];
    }

    void stored(AppendOutcome outcome) {
        if (outcome == AppendOutcome.DUPLICATE) {
            duplicates++;
        } else {
            appended++;
        }
    }

    void refused(int count) {
        refused += count;
    }

    void fsync(long tookNanos) {
        fsyncs++;
        fsyncNanos += tookNanos;
        fsyncMaxNanos = Math.max(fsyncMaxNanos, tookNanos);
    }

    void gapMarker(int lane) {
        gapMarkers[lane]++;
    }

    /** Publishes a new snapshot: these counts beside each lane's size, age, drops and blocked appends. */
    void publish(List<LaneLog> lanes, LaneSpace space, List<? extends Collection<?>> blocked, long nowMillis) {
        List<SpoolCounters.Lane> perLane = new ArrayList<>(lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            LaneLog lane = lanes.get(i);
            long oldest = lane.oldestReceivedAtMillis();
            perLane.add(new SpoolCounters.Lane(lane.name(), lane.bytesOnDisk(), lane.segmentCount(),
                    oldest < 0 ? 0 : Math.max(0, nowMillis - oldest), space.droppedRecords(i), gapMarkers[i],
                    blocked.get(i).size()));
        }
        current = new SpoolCounters(appended, duplicates, refused, fsyncs, fsyncNanos, fsyncMaxNanos,
                List.copyOf(perLane));
    }

    /** The last published snapshot. Any thread. */
    SpoolCounters current() {
        return current;
    }
}
