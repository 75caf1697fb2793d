package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A reader's committed positions, one per lane, replaced atomically (temp file, fsync, rename, directory fsync).
 * Format: {@code [u32 count] ([u16 len][lane name][i64 position])* [u32 CRC32C of what precedes]}. A damaged file is
 * reported, never silently read as "start from zero".
 */
public final class CursorFile {
    private final Path file;

    public CursorFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /** The positions, empty when the reader never committed. */
    public Map<String, Long> read() throws IOException {
        Optional<ByteBuffer> payload = AtomicFiles.readChecksummed(file);
        if (payload.isEmpty()) {
            return Map.of();
        }
        try {
            return LanePositions.get(payload.get());
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e, e);
        }
    }

    public void write(Map<String, Long> positions) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(LanePositions.size(positions));
        LanePositions.put(positions, buffer);
        AtomicFiles.writeChecksummed(file, buffer.array());
    }
}
