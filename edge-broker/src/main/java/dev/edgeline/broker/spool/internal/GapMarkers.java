package dev.edgeline.broker.spool.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds gap marker records. A gap marker's identity is deterministic: device = the spool's device, stream =
 * {@code $gap/<lane>}, boot = 0, seq = the lane position where the lost range starts; so a marker read twice (after a
 * restart) is recognisably the same marker. Its payload is JSON (schema {@code gap}), written with Jackson.
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

    /** A stream of one boot. */
    private record StreamOfBoot(String device, String stream, long boot) {}

    /** Accumulates the per-stream losses of a dropped range. */
    public static final class Summary {
        private final Map<StreamOfBoot, StreamLoss> streams = new LinkedHashMap<>();
        private long records;

        public void add(SpoolRecord record) {
            if (record.kind() != RecordKind.DATA) {
                return;
            }
            records++;
            StreamLoss loss = streams.computeIfAbsent(
                    new StreamOfBoot(record.device(), record.stream(), record.boot()), k -> new StreamLoss());
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
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("gap", true).put("reason", reason.json);
        if (error != null) {
            json.put("error", error);
        }
        json.put("lane", lane).put("from_position", fromPosition).put("to_position", toPosition)
                .put("bytes", toPosition - fromPosition);
        if (summary != null) {
            json.put("records", summary.records);
            ArrayNode streams = json.putArray("streams");
            summary.streams.forEach((stream, loss) -> streams.addObject().put("device", stream.device())
                    .put("stream", stream.stream()).put("boot", stream.boot()).put("first_seq", loss.firstSeq)
                    .put("last_seq", loss.lastSeq).put("records", loss.records));
        } else {
            json.putNull("records");
        }
        return new SpoolRecord(device, "$gap/" + lane, 0, fromPosition, "$edge/gap/" + lane, false, nowMillis,
                json.toString().getBytes(StandardCharsets.UTF_8), RecordKind.GAP);
    }
}
