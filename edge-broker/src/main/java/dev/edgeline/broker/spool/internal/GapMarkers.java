package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds gap marker records. A gap marker's identity is deterministic: device = the spool's device, stream =
 * {@code $gap/<lane>}, boot = 0, seq = the lane position where the lost range starts; so a marker read twice (after a
 * restart) is recognisably the same marker. Its payload is JSON.
 */
public final class GapMarkers {
    /** Reason a range was lost. */
    public enum Reason {
        /** The lane was full and its policy dropped its oldest segment. */
        DROPPED_OLDEST("dropped-oldest"),
        /** The bytes on disk were damaged (CRC mismatch or broken structure). */
        DAMAGED("damaged"),
        /** Kafka refused the record for good (too large for the cluster, invalid); the bridge set it aside. */
        KAFKA_REFUSED("kafka-refused");

        final String json;

        Reason(String json) {
            this.json = json;
        }
    }

    /** What was lost of one stream: its identity range and the number of records. */
    public static final class StreamLoss {
        long firstSeq = Long.MAX_VALUE;
        long lastSeq = -1;
        long records;
    }

    /** Accumulates the per-stream losses of a dropped range. */
    public static final class Summary {
        private final Map<String, StreamLoss> streams = new LinkedHashMap<>();
        private long records;

        public void add(SpoolRecord record) {
            if (record.kind() != RecordKind.DATA) {
                return;
            }
            records++;
            StreamLoss loss = streams.computeIfAbsent(
                    json(record.device()) + "\",\"stream\":\"" + json(record.stream()) + "\",\"boot\":" + record.boot(),
                    k -> new StreamLoss());
            loss.firstSeq = Math.min(loss.firstSeq, record.seq());
            loss.lastSeq = Math.max(loss.lastSeq, record.seq());
            loss.records++;
        }

        public long records() {
            return records;
        }
    }

    private GapMarkers() {}

    public static SpoolRecord marker(String device, String lane, Reason reason, long fromPosition, long toPosition,
                                     Summary summary, long nowMillis) {
        return marker(device, lane, reason, fromPosition, toPosition, summary, nowMillis, null);
    }

    /** As above, with the error that caused the gap ({@code "error"} in the JSON) when there is one. */
    public static SpoolRecord marker(String device, String lane, Reason reason, long fromPosition, long toPosition,
                                     Summary summary, long nowMillis, String error) {
        StringBuilder json = new StringBuilder();
        json.append("{\"gap\":true,\"reason\":\"").append(reason.json).append('"');
        if (error != null) {
            json.append(",\"error\":\"").append(json(error)).append('"');
        }
        json.append(",\"lane\":\"").append(json(lane))
                .append("\",\"from_position\":").append(fromPosition).append(",\"to_position\":").append(toPosition)
                .append(",\"bytes\":").append(toPosition - fromPosition);
        if (summary != null) {
            json.append(",\"records\":").append(summary.records).append(",\"streams\":[");
            boolean first = true;
            for (Map.Entry<String, StreamLoss> entry : summary.streams.entrySet()) {
                StreamLoss loss = entry.getValue();
                json.append(first ? "" : ",").append("{\"device\":\"").append(entry.getKey())
                        .append(",\"first_seq\":").append(loss.firstSeq).append(",\"last_seq\":").append(loss.lastSeq)
                        .append(",\"records\":").append(loss.records).append('}');
                first = false;
            }
            json.append(']');
        } else {
            json.append(",\"records\":null");
        }
        json.append('}');
        return new SpoolRecord(device, "$gap/" + lane, 0, fromPosition, "$edge/gap/" + lane, false, nowMillis,
                json.toString().getBytes(StandardCharsets.UTF_8), RecordKind.GAP);
    }

    static String json(String s) {
        return dev.edgeline.config.JsonStrings.escape(s);
    }
}
