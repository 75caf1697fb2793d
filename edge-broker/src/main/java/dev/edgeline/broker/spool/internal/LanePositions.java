package dev.edgeline.broker.spool.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary form of a position per lane, shared by reader cursors and the dedup index cache:
 * {@code [u32 count] ([u16 len][lane name UTF-8][i64 position])*}.
 */
final class LanePositions {
    private LanePositions() {}

    static int size(Map<String, Long> positions) {
        int size = 4;
        for (String lane : positions.keySet()) {
            size += 2 + lane.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        return size;
    }

    static void put(Map<String, Long> positions, ByteBuffer out) {
        out.putInt(positions.size());
        positions.forEach((lane, position) -> {
            byte[] name = lane.getBytes(StandardCharsets.UTF_8);
            out.putShort((short) name.length).put(name).putLong(position);
        });
    }

    /** Reads what {@link #put} wrote; buffer underflow means damage and is the caller's to report. */
    static Map<String, Long> get(ByteBuffer in) {
        Map<String, Long> positions = new LinkedHashMap<>();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            positions.put(new String(name, StandardCharsets.UTF_8), in.getLong());
        }
        return positions;
    }
}
