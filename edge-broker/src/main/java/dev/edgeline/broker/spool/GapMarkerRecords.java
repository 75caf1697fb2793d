package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.GapMarkers;

/**
 * Gap markers made outside the spool, in the spool's own format: for a record the bridge could not deliver
 * because Kafka refused it for good (too large for the cluster, invalid), so that it is set aside visibly instead of
 * stopping its lane.
 */
public final class GapMarkerRecords {
    private GapMarkerRecords() {}

    /**
     * The marker that takes the place of {@code refused} in Kafka: reason {@code kafka-refused}, Kafka's error, the
     * record's lane range and its identity (a range of one record).
     */
    public static SpoolRecord refusedByKafka(String device, SpooledRecord refused, String error, long nowMillis) {
        GapMarkers.Summary summary = new GapMarkers.Summary();
        summary.add(refused.record());
        return GapMarkers.marker(device, refused.lane(), GapMarkers.Reason.KAFKA_REFUSED, refused.position(),
                refused.nextPosition(), summary, nowMillis, error);
    }
}
