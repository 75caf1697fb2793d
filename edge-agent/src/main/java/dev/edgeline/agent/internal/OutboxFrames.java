package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The frames of an outbox segment: {@code [i32 body length][i32 crc32c of order and body][i64 order][body]}, the body
 * a reading ({@code [u16+utf8 device][u16+utf8 stream][i64 boot][i64 seq][u8 clock synced][i32+utf8 payload]}).
 */
final class OutboxFrames {
    static final int HEADER = 16;
    static final int MAX_BODY = 1 << 20;

    private OutboxFrames() {}

    /** The frame of {@code reading} at {@code order}. */
    static ByteBuffer frame(long order, Reading reading) {
        byte[] body = encode(reading);
        ByteBuffer frame = ByteBuffer.allocate(HEADER + body.length);
        frame.putInt(body.length).putInt(crc(order, body)).putLong(order).put(body).flip();
        return frame;
    }

    /** Told about each intact frame; returns false to stop before it. */
    @FunctionalInterface
    interface FrameVisitor {
        boolean accept(long order, byte[] body);
    }

    /**
     * Reads a segment's frames from its start, handing each intact one with an order of at least {@code skipBelow} to
     * the visitor (earlier ones are stepped over unread). Stops at the end, at a torn or corrupt frame, or when the
     * visitor declines one; returns the byte position just after the last frame accepted or stepped over.
     */
    static long readValidFrames(FileChannel channel, long skipBelow, FrameVisitor visitor) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        long position = 0;
        while (true) {
            header.clear();
            if (readFully(channel, header, position) < HEADER) {
                return position;
            }
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            long order = header.getLong();
            if (length < 0 || length > MAX_BODY) {
                return position;
            }
            if (order >= skipBelow) {
                ByteBuffer body = ByteBuffer.allocate(length);
                if (readFully(channel, body, position + HEADER) < length || crc(order, body.array()) != crc
                        || !visitor.accept(order, body.array())) {
                    return position;
                }
            }
            position += HEADER + length;
        }
    }

    private static int readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static int crc(long order, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(order).flip());
        crc.update(body);
        return (int) crc.getValue();
    }

    private static byte[] encode(Reading r) {
        byte[] device = r.device().getBytes(StandardCharsets.UTF_8);
        byte[] stream = r.stream().getBytes(StandardCharsets.UTF_8);
        byte[] payload = r.json().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + device.length + 2 + stream.length + 8 + 8 + 1 + 4 + payload.length);
        b.putShort((short) device.length).put(device).putShort((short) stream.length).put(stream)
                .putLong(r.boot()).putLong(r.seq()).put((byte) (r.clockSynced() ? 1 : 0))
                .putInt(payload.length).put(payload);
        return b.array();
    }

    static Reading decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        String device = string(b, b.getShort() & 0xFFFF);
        String stream = string(b, b.getShort() & 0xFFFF);
        long boot = b.getLong();
        long seq = b.getLong();
        boolean synced = b.get() != 0;
        String json = string(b, b.getInt());
        return new Reading(device, stream, boot, seq, synced, json);
    }

    private static String string(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
