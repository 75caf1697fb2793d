package dev.edgeline.broker.spool;

import java.util.List;

/**
 * A snapshot of the spool's counters, updated by the writer after every batch.
 *
 * @param appended   records written since start
 * @param duplicates records dropped as duplicates since start
 * @param refused    appends refused since start (lane full past the block timeout, I/O error, out of order, closed)
 * @param fsyncs     fsync calls since start (appended / fsyncs is the group-commit factor)
 * @param fsyncNanos total time spent in those fsync calls
 * @param fsyncMaxNanos the longest single fsync since start
 * @param lanes      per-lane figures, highest priority first
 */
public record SpoolCounters(long appended, long duplicates, long refused, long fsyncs, long fsyncNanos,
                            long fsyncMaxNanos, List<Lane> lanes) {

    /**
     * One lane's figures.
     *
     * @param name             lane name
     * @param bytesOnDisk      size of the lane's segment files
     * @param segments         number of segment files
     * @param oldestRecordAgeMillis age of the oldest data record on disk (0 when none)
     * @param droppedRecords   data records discarded by the drop-oldest policy since start
     * @param gapMarkers       gap markers written since start
     * @param blocked          appends waiting for room now
     */
    public record Lane(String name, long bytesOnDisk, int segments, long oldestRecordAgeMillis, long droppedRecords,
                       long gapMarkers, int blocked) {}

    public long bytesOnDisk() {
        return lanes.stream().mapToLong(Lane::bytesOnDisk).sum();
    }

    public int segments() {
        return lanes.stream().mapToInt(Lane::segments).sum();
    }

    public long droppedRecords() {
        return lanes.stream().mapToLong(Lane::droppedRecords).sum();
    }

    public long gapMarkers() {
        return lanes.stream().mapToLong(Lane::gapMarkers).sum();
    }

    public Lane lane(String name) {
        return lanes.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no lane " + name));
    }
}
