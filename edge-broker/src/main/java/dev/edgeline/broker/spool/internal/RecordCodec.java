package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.SpoolRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of one spool record. All integers big-endian.
 *
 * <pre>
 *  0      4      8       9       10        18       26                34
 *  +------+------+-------+-------+---------+--------+-----------------+-------------------------------+
 *  | len  | crc  | ver=1 | flags | boot    | seq    | receivedAtMillis| device, stream, topic, payload|
 *  | u32  | u32  | u8    | u8    | i64     | i64    | i64             | (u16 len + UTF-8) x3, u32 len |
 *  +------+------+-------+-------+---------+--------+-----------------+-------------------------------+
 *  len = number of body bytes (everything after crc); crc = CRC32C of the body.
 *  flags bit 0 = clock_synced.
 * </pre>
 *
 * A frame is valid only if {@code len} is within bounds, all {@code len} bytes are present and the CRC matches;
 * anything else is a torn write or damage. Stateless and thread-safe.
 */
public final class RecordCodec {
    public static final int HEADER_BYTES = 8;
    /** Largest body accepted: bigger lengths are treated as damage. */
    public static final int MAX_BODY_BYTES = 16 << 20;
    private static final byte VERSION = 1;
    private static final int FIXED_BODY_BYTES = 1 + 1 + 8 + 8 + 8 + 2 + 2 + 2 + 4;

    private RecordCodec() {}

    /** Bytes the frame of {@code record} takes on disk. */
    public static int frameSize(byte[] device, byte[] stream, byte[] topic, int payloadLength) {
        return HEADER_BYTES + FIXED_BODY_BYTES + device.length + stream.length + topic.length + payloadLength;
    }

    /** Writes the frame of {@code record} at the buffer's position (which must have room for it). */
    public static void encode(SpoolRecord record, ByteBuffer out) {
        byte[] device = utf8(record.device());
        byte[] stream = utf8(record.stream());
        byte[] topic = utf8(record.mqttTopic());
        int frameStart = out.position();
        int bodyLength = frameSize(device, stream, topic, record.payload().length) - HEADER_BYTES;
        if (bodyLength > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("record too large: " + bodyLength + " bytes");
        }
        out.putInt(bodyLength);
        out.putInt(0); // CRC, filled in below
        int bodyStart = out.position();
        out.put(VERSION);
        out.put((byte) (record.clockSynced() ? 1 : 0));
        out.putLong(record.boot());
        out.putLong(record.seq());
        out.putLong(record.receivedAtMillis());
        putShortString(out, device);
        putShortString(out, stream);
        putShortString(out, topic);
        out.putInt(record.payload().length);
        out.put(record.payload());
        CRC32C crc = new CRC32C();
        ByteBuffer body = out.duplicate();
        body.position(bodyStart).limit(out.position());
        crc.update(body);
        out.putInt(frameStart + 4, (int) crc.getValue());
    }

    /** Size of the encoded frame of {@code record}. */
    public static int frameSize(SpoolRecord record) {
        return frameSize(utf8(record.device()), utf8(record.stream()), utf8(record.mqttTopic()),
                record.payload().length);
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
     * Decodes the complete frame at the buffer's position (its header and {@code bodyLength} body bytes must be
     * present) and moves past it; returns null, without moving, when the CRC or the structure is wrong.
     */
    public static SpoolRecord decode(ByteBuffer in, int bodyLength) {
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
            boolean clockSynced = (body.get() & 1) != 0;
            long boot = body.getLong();
            long seq = body.getLong();
            long receivedAt = body.getLong();
            String device = getShortString(body);
            String stream = getShortString(body);
            String topic = getShortString(body);
            int payloadLength = body.getInt();
            if (payloadLength != body.remaining()) {
                return null;
            }
            byte[] payload = new byte[payloadLength];
            body.get(payload);
            in.position(start + HEADER_BYTES + bodyLength);
            return new SpoolRecord(device, stream, boot, seq, topic, clockSynced, receivedAt, payload);
        } catch (RuntimeException e) { // a CRC collision on damaged bytes: treat as damage
            return null;
        }
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

    private static String getShortString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
