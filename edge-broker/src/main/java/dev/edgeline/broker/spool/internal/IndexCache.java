package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code dedup.index}: a cache of the dedup marks and, per lane, the position they are complete up to, so that
 * opening a large spool scans only what was appended after it. Only a cache: the spool is the truth (every segment
 * begins with a marks checkpoint), so a missing or damaged index costs a full scan, never correctness.
 */
public final class IndexCache {
    /** Marks plus the lane positions they cover. */
    public record Entry(Map<String, Long> positions, StreamMarks marks) {}

    private IndexCache() {}

    public static void write(Path file, Map<String, Long> positions, StreamMarks marks) throws IOException {
        byte[] encodedMarks = marks.encode();
        ByteBuffer buffer = ByteBuffer.allocate(LanePositions.size(positions) + 4 + encodedMarks.length);
        LanePositions.put(positions, buffer);
        buffer.putInt(encodedMarks.length).put(encodedMarks);
        AtomicFiles.writeChecksummed(file, buffer.array());
    }

    /** The cached entry; empty when missing; an exception naming the problem when damaged. */
    public static Optional<Entry> read(Path file) throws IOException {
        Optional<ByteBuffer> payload = AtomicFiles.readChecksummed(file);
        if (payload.isEmpty()) {
            return Optional.empty();
        }
        try {
            ByteBuffer buffer = payload.get();
            Map<String, Long> positions = LanePositions.get(buffer);
            byte[] marks = new byte[buffer.getInt()];
            buffer.get(marks);
            return Optional.of(new Entry(positions, StreamMarks.decode(marks)));
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }
}
