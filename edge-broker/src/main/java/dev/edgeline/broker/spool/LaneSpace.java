package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.GapMarkers;
import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's byte budgets: whether a record fits its lane and the whole spool, and where a {@code drop-oldest} lane
 * makes room by discarding its oldest segment (its own when it is full; when the whole spool is full, the lowest such
 * lane's), leaving a gap marker that states the streams and sequence ranges lost. Writer thread.
 */
final class LaneSpace {
    private static final Logger LOG = LoggerFactory.getLogger(LaneSpace.class);

    private final List<LaneLog> lanes;
    private final List<SpoolConfig.Lane> laneConfigs;
    private final long spoolBudget;
    private final SegmentRetention retention;
    private final String deviceId;
    private final InstantSource clock;
    private final String logPrefix;
    private final long[] droppedRecords;

    LaneSpace(List<LaneLog> lanes, List<SpoolConfig.Lane> laneConfigs, long spoolBudget, SegmentRetention retention,
              String deviceId, InstantSource clock, String logPrefix) {
        this.lanes = lanes;
        this.laneConfigs = laneConfigs;
        this.spoolBudget = spoolBudget;
        this.retention = retention;
        this.deviceId = deviceId;
        this.clock = clock;
        this.logPrefix = logPrefix;
        this.droppedRecords = new long[laneConfigs.size()];
    }

    /**
     * Whether {@code bytes} more fit in {@code lane}, after dropping oldest segments where the policy allows; each
     * gap marker written for a drop is handed to {@code gaps} with its lane.
     */
    boolean makeRoom(int lane, int bytes, GapSink gaps) throws IOException {
        while (true) {
            LaneLog log = lanes.get(lane);
            boolean laneFull = log.bytesOnDisk() + bytes > laneConfigs.get(lane).budgetBytes();
            boolean spoolFull = totalBytes() + bytes > spoolBudget;
            if (!laneFull && !spoolFull) {
                return true;
            }
            int victim = laneFull ? (dropsOldest(lane) ? lane : -1) : lowestDroppingLane();
            if (victim < 0) {
                return false;
            }
            LaneLog victimLog = lanes.get(victim);
            LaneLog.Dropped dropped = victimLog.dropOldest(retention.minimumCursor(victimLog), retention::retireMarks);
            droppedRecords[victim] += dropped.summary().records();
            // Gap markers nobody has read yet must not vanish with the segment: they move to the lane's end.
            for (SpoolRecord carried : dropped.carried()) {
                victimLog.add(carried);
            }
            if (dropped.summary().records() > 0) {
                SpoolRecord gap = GapMarkers.marker(deviceId, victimLog.name(), GapMarkers.Reason.DROPPED_OLDEST,
                        dropped.fromPosition(), dropped.toPosition(), dropped.summary(), clock.millis());
                LOG.warn("{}lane {} full: dropped its oldest segment ({} unread records, positions {}..{}); "
                        + "gap marker written", logPrefix, victimLog.name(), dropped.summary().records(),
                        dropped.fromPosition(), dropped.toPosition());
                victimLog.add(gap);
                gaps.written(gap, victim);
            }
        }
    }

    /** Told of each gap marker {@link #makeRoom} writes. */
    @FunctionalInterface
    interface GapSink {
        void written(SpoolRecord gap, int lane);
    }

    private boolean dropsOldest(int lane) {
        return laneConfigs.get(lane).whenFull() == SpoolConfig.FullPolicy.DROP_OLDEST
                && lanes.get(lane).oldestClosedSegment() >= 0;
    }

    private int lowestDroppingLane() {
        for (int candidate = lanes.size() - 1; candidate >= 0; candidate--) {
            if (dropsOldest(candidate)) {
                return candidate;
            }
        }
        return -1;
    }

    long totalBytes() {
        long total = 0;
        for (LaneLog lane : lanes) {
            total += lane.bytesOnDisk();
        }
        return total;
    }

    /** Records dropped from {@code lane} with its oldest segments since open. */
    long droppedRecords(int lane) {
        return droppedRecords[lane];
    }

    String fullMessage(int lane) {
        return "spool lane '" + laneConfigs.get(lane).name() + "' is full (" + lanes.get(lane).bytesOnDisk()
                + " of " + laneConfigs.get(lane).budgetBytes() + " bytes; spool " + totalBytes() + " of "
                + spoolBudget + ")";
    }
}
