package dev.edgeline.broker.spool;

/**
 * A snapshot of the spool's counters.
 *
 * @param appended        records written since start
 * @param duplicates      records dropped as duplicates since start
 * @param refused         appends refused since start (queue full, I/O error, closed)
 * @param fsyncs          fsync calls since start (appended / fsyncs is the group-commit factor)
 * @param bytesOnDisk     size of all segment files now
 * @param segments        number of segment files now
 * @param damagedRanges   damaged byte ranges skipped when reading (each is counted once per reader pass)
 */
public record SpoolCounters(
        long appended,
        long duplicates,
        long refused,
        long fsyncs,
        long bytesOnDisk,
        int segments,
        long damagedRanges) {}
