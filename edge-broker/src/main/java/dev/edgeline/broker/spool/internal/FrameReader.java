package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads frames from one segment file between two offsets, and finds the next valid frame after damage. Not
 * thread-safe; one per reading thread.
 */
public final class FrameReader {
    /** One decoded frame and where it lies in the segment. */
    public record Frame(long offset, int size, RecordCodec.Decoded decoded) {}

    private ByteBuffer buffer = ByteBuffer.allocate(256 << 10);
    private long bufferOffset = -1; // segment offset of buffer[0]
    private FileChannel bufferChannel;
    private final NameCache names = new NameCache();

    /**
     * The frame at {@code offset}, reading no byte at or beyond {@code end}; null when the bytes there are not a
     * complete valid frame.
     */
    public Frame read(FileChannel channel, long offset, long end) throws IOException {
        if (end - offset < RecordCodec.HEADER_BYTES) {
            return null;
        }
        ensure(channel, offset, end, RecordCodec.HEADER_BYTES);
        int bodyLength = RecordCodec.bodyLength(slice(offset));
        if (bodyLength < 0 || offset + RecordCodec.HEADER_BYTES + bodyLength > end) {
            return null;
        }
        int size = RecordCodec.HEADER_BYTES + bodyLength;
        ensure(channel, offset, end, size);
        RecordCodec.Decoded decoded = RecordCodec.decode(slice(offset), bodyLength, names);
        return decoded == null ? null : new Frame(offset, size, decoded);
    }

    /**
     * The offset of the first valid frame after {@code damagedOffset} and before {@code end}, or -1 if there is none
     * (the damage runs to the end: a torn tail when it is the end of the log). A CRC32C match on random bytes is
     * a 1 in 4 billion event and the structure must add up too, so resynchronising cannot mistake damage for data in
     * practice.
     */
    public long resync(FileChannel channel, long damagedOffset, long end) throws IOException {
        for (long offset = damagedOffset + 1; offset + RecordCodec.HEADER_BYTES <= end; offset++) {
            if (read(channel, offset, end) != null) {
                return offset;
            }
        }
        return -1;
    }

    private ByteBuffer slice(long offset) {
        ByteBuffer view = buffer.duplicate();
        view.position((int) (offset - bufferOffset));
        return view;
    }

    /** Makes sure the buffer holds [offset, offset + length) (or what exists of it below {@code end}). */
    private void ensure(FileChannel channel, long offset, long end, int length) throws IOException {
        if (channel == bufferChannel && bufferOffset >= 0 && offset >= bufferOffset
                && offset + length <= bufferOffset + buffer.limit()) {
            return;
        }
        if (buffer.capacity() < length) {
            buffer = ByteBuffer.allocate(Integer.highestOneBit(length) << 1);
        }
        buffer.clear();
        long want = Math.min(buffer.capacity(), end - offset);
        buffer.limit((int) want);
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        buffer.flip();
        bufferOffset = offset;
        bufferChannel = channel;
    }

    /** Forgets buffered bytes (call when the file may have changed below them). */
    public void reset() {
        bufferOffset = -1;
        bufferChannel = null;
    }
}
