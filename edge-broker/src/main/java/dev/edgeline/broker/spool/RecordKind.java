package dev.edgeline.broker.spool;

/** What a spool record is. */
public enum RecordKind {
    /** A publish: forwarded to its route's Kafka topic. */
    DATA,
    /**
     * A gap marker: the spool lost a range of records (dropped by a full lane's policy, or damaged on disk). Its
     * payload is JSON stating the lane, the reason, the byte range and, where known, the streams and sequence
     * numbers lost. Forwarded to the gap topic like data.
     */
    GAP
}
