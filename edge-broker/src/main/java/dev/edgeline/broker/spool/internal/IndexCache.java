package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

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
        int size = 4 + encodedMarks.length + 4 + 4;
        for (String lane : positions.keySet()) {
            size += 2 + lane.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(positions.size());
        positions.forEach((lane, position) -> {
            byte[] name = lane.getBytes(StandardCharsets.UTF_8);
            buffer.putShort((short) name.length).put(name).putLong(position);
        });
        buffer.putInt(encodedMarks.length).put(encodedMarks);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        AtomicFiles.write(file, buffer.array());
    }

    /** The cached entry; empty when missing; an exception naming the problem when damaged. */
    public static Optional<Entry> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < 12) {
            throw new IOException(file + " is damaged: too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IOException(file + " is damaged: checksum mismatch");
        }
        try {
            Map<String, Long> positions = new HashMap<>();
            int count = buffer.getInt();
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[Short.toUnsignedInt(buffer.getShort())];
                buffer.get(name);
                positions.put(new String(name, StandardCharsets.UTF_8), buffer.getLong());
            }
            byte[] marks = new byte[buffer.getInt()];
            buffer.get(marks);
            return Optional.of(new Entry(positions, StreamMarks.decode(marks)));
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }
}
