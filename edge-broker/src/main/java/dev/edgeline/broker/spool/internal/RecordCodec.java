package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of one spool record. All integers big-endian.
 *
 * <pre>
 *  0      4      8     9      10      11     19     27           35
 *  +------+------+-----+------+-------+------+------+------------+----------------------------------------+
 *  | len  | crc  | ver | kind | flags | boot | seq  | receivedAt | device, stream, topic: u16 len + UTF-8 |
 *  | u32  | u32  | =2  | u8   | u8    | i64  | i64  | i64 millis | payload: u32 len + bytes               |
 *  +------+------+-----+------+-------+------+------+------------+----------------------------------------+
 *  len  = number of bytes after crc (the body); crc = CRC32C of the body
 *  kind = 0 data, 1 gap marker, 2 marks checkpoint (internal: the dedup marks, first frame of every segment)
 *  flags bit 0 = clock_synced
 * </pre>
 *
 * A frame is valid only if {@code len} is within bounds, all its bytes are present, the CRC matches and the
 * structure adds up; anything else is a torn write or damage. Stateless and thread-safe.
 */
public final class RecordCodec {
    public static final int HEADER_BYTES = 8;
    /** Largest body accepted: bigger lengths are treated as damage. */
    public static final int MAX_BODY_BYTES = 16 << 20;
    static final byte VERSION = 2;
    static final byte KIND_DATA = 0;
    static final byte KIND_GAP = 1;
    static final byte KIND_MARKS = 2;
    private static final int FIXED_BODY_BYTES = 1 + 1 + 1 + 8 + 8 + 8 + 2 + 2 + 2 + 4;

    private RecordCodec() {}

    /** A decoded frame: a record, or (kind marks) the payload of a marks checkpoint. */
    public record Decoded(byte kind, SpoolRecord record, byte[] marks) {
        public boolean isMarks() {
            return kind == KIND_MARKS;
        }
    }

    /** Bytes the frame of {@code record} takes on disk. */
    public static int frameSize(SpoolRecord record) {
        return frameSize(utf8Length(record.device()), utf8Length(record.stream()), utf8Length(record.mqttTopic()),
                record.payload().length);
    }

    /** Why {@code record} cannot be framed (too large, a name over 65,535 bytes), or empty when it can. */
    public static java.util.Optional<String> problemWith(SpoolRecord record) {
        // A UTF-8 encoding takes at most 3 bytes per char: the exact lengths are needed only near a limit, so the
        // writer thread does not encode every record's names once more just to check them.
        String[] names = {record.device(), record.stream(), record.mqttTopic()};
        long nameBytesAtMost = 0;
        for (String name : names) {
            int atMost = 3 * name.length();
            int length = atMost > 0xFFFF ? utf8Length(name) : atMost;
            if (length > 0xFFFF) {
                return java.util.Optional.of("a name of " + length + " bytes is longer than a spool frame allows (65535)");
            }
            nameBytesAtMost += atMost;
        }
        long bodyAtMost = FIXED_BODY_BYTES + nameBytesAtMost + record.payload().length;
        if (bodyAtMost > MAX_BODY_BYTES && (long) frameSize(record) - HEADER_BYTES > MAX_BODY_BYTES) {
            return java.util.Optional.of("a record of " + record.payload().length + " payload bytes is larger than "
                    + "the spool's frame limit (" + MAX_BODY_BYTES + " bytes)");
        }
        return java.util.Optional.empty();
    }

    /** Bytes a marks checkpoint frame with {@code payloadLength} payload bytes takes. */
    public static int marksFrameSize(int payloadLength) {
        return frameSize(0, 0, 0, payloadLength);
    }

    private static int frameSize(int device, int stream, int topic, int payload) {
        return HEADER_BYTES + FIXED_BODY_BYTES + device + stream + topic + payload;
    }

    /** Writes the frame of {@code record} at the buffer's position (which must have room for it). */
    public static void encode(SpoolRecord record, ByteBuffer out) {
        encode(record.kind() == RecordKind.GAP ? KIND_GAP : KIND_DATA, record.clockSynced(), record.boot(),
                record.seq(), record.receivedAtMillis(), utf8(record.device()), utf8(record.stream()),
                utf8(record.mqttTopic()), record.payload(), out);
    }

    /** Writes a marks checkpoint frame. */
    public static void encodeMarks(byte[] marks, ByteBuffer out) {
        encode(KIND_MARKS, false, 0, 0, 0, new byte[0], new byte[0], new byte[0], marks, out);
    }

    private static void encode(byte kind, boolean clockSynced, long boot, long seq, long receivedAt, byte[] device,
                               byte[] stream, byte[] topic, byte[] payload, ByteBuffer out) {
        int frameStart = out.position();
        int bodyLength = frameSize(device.length, stream.length, topic.length, payload.length) - HEADER_BYTES;
        if (bodyLength > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("record too large for the spool: " + bodyLength + " bytes");
        }
        out.putInt(bodyLength);
        out.putInt(0); // CRC, filled in below
        int bodyStart = out.position();
        out.put(VERSION);
        out.put(kind);
        out.put((byte) (clockSynced ? 1 : 0));
        out.putLong(boot);
        out.putLong(seq);
        out.putLong(receivedAt);
        putShortString(out, device);
        putShortString(out, stream);
        putShortString(out, topic);
        out.putInt(payload.length);
        out.put(payload);
        CRC32C crc = new CRC32C();
        ByteBuffer body = out.duplicate();
        body.position(bodyStart).limit(out.position());
        crc.update(body);
        out.putInt(frameStart + 4, (int) crc.getValue());
    }

    /**
     * Length of the body of the frame starting at the buffer's position, or -1 if the header is incomplete or the
     * length is out of bounds. Does not move the buffer.
     */
    public static int bodyLength(ByteBuffer in) {
        if (in.remaining() < HEADER_BYTES) {
            return -1;
        }
        int length = in.getInt(in.position());
        return length < FIXED_BODY_BYTES || length > MAX_BODY_BYTES ? -1 : length;
    }

    /**
     * Decodes the complete frame at the buffer's position (header and {@code bodyLength} body bytes must be present);
     * null when the CRC or the structure is wrong. Does not move the buffer.
     */
    public static Decoded decode(ByteBuffer in, int bodyLength) {
        return decode(in, bodyLength, null);
    }

    /** As above, the names read through {@code names} (a reader's cache of the names it has seen), when not null. */
    static Decoded decode(ByteBuffer in, int bodyLength, NameCache names) {
        int start = in.position();
        int expectedCrc = in.getInt(start + 4);
        ByteBuffer body = in.duplicate();
        body.position(start + HEADER_BYTES).limit(start + HEADER_BYTES + bodyLength);
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        if ((int) crc.getValue() != expectedCrc) {
            return null;
        }
        try {
            if (body.get() != VERSION) {
                return null;
            }
            byte kind = body.get();
            if (kind != KIND_DATA && kind != KIND_GAP && kind != KIND_MARKS) {
                return null;
            }
            boolean clockSynced = (body.get() & 1) != 0;
            long boot = body.getLong();
            long seq = body.getLong();
            long receivedAt = body.getLong();
            String device = getShortString(body, names);
            String stream = getShortString(body, names);
            String topic = getShortString(body, names);
            int payloadLength = body.getInt();
            if (payloadLength != body.remaining()) {
                return null;
            }
            byte[] payload = new byte[payloadLength];
            body.get(payload);
            if (kind == KIND_MARKS) {
                return new Decoded(kind, null, payload);
            }
            return new Decoded(kind, new SpoolRecord(device, stream, boot, seq, topic, clockSynced, receivedAt,
                    payload, kind == KIND_GAP ? RecordKind.GAP : RecordKind.DATA), null);
        } catch (RuntimeException e) { // structure does not add up despite the CRC: damage
            return null;
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("string too long for the spool frame: " + bytes.length + " bytes");
        }
        return bytes;
    }

    private static void putShortString(ByteBuffer out, byte[] bytes) {
        out.putShort((short) bytes.length);
        out.put(bytes);
    }

    private static String getShortString(ByteBuffer in, NameCache names) {
        int length = Short.toUnsignedInt(in.getShort());
        if (names != null) {
            return names.read(in, length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
