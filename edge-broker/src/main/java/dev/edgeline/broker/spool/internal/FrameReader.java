package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.SpoolRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads consecutive frames from one segment file between two offsets, stopping at the first invalid frame
 * (incomplete, bad length or bad CRC). Not thread-safe; one per reading thread.
 */
public final class FrameReader {
    /** One decoded frame and where it lies in the segment. */
    public record Frame(long offset, int size, SpoolRecord record) {}

    private ByteBuffer buffer = ByteBuffer.allocate(256 << 10);
    private long bufferOffset = -1; // segment offset of buffer[0]
    private FileChannel bufferChannel;

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
        SpoolRecord record = RecordCodec.decode(slice(offset), bodyLength);
        return record == null ? null : new Frame(offset, size, record);
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
