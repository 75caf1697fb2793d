package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bridge checkpoint: the spool it belongs to and, per lane, the position of the first record not yet in Kafka.
 * Stored as the value of the device's key in the compacted checkpoint topic, written in the same transaction as the
 * records it covers. Text form: {@code spool=<id>;lanes=alarm:123,telemetry:4567}.
 */
public record Checkpoint(String spoolId, Map<String, Long> positions) {
    public Checkpoint {
        positions = Map.copyOf(positions);
    }

    public byte[] encode() {
        StringBuilder text = new StringBuilder("spool=").append(spoolId).append(";lanes=");
        boolean first = true;
        for (Map.Entry<String, Long> lane : new java.util.TreeMap<>(positions).entrySet()) {
            text.append(first ? "" : ",").append(lane.getKey()).append(':').append(lane.getValue());
            first = false;
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes {@link #encode()}'s bytes; empty when they are not a checkpoint. */
    public static Optional<Checkpoint> decode(byte[] bytes) {
        try {
            String text = new String(bytes, StandardCharsets.UTF_8);
            String[] parts = text.split(";", 2);
            if (!parts[0].startsWith("spool=") || !parts[1].startsWith("lanes=")) {
                return Optional.empty();
            }
            Map<String, Long> positions = new LinkedHashMap<>();
            String lanes = parts[1].substring("lanes=".length());
            if (!lanes.isEmpty()) {
                for (String lane : lanes.split(",")) {
                    int colon = lane.lastIndexOf(':');
                    positions.put(lane.substring(0, colon), Long.parseLong(lane.substring(colon + 1)));
                }
            }
            return Optional.of(new Checkpoint(parts[0].substring("spool=".length()), positions));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
