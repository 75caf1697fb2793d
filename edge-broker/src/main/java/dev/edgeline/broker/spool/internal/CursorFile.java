package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        if (bytes.length < 8) {
            throw new IOException(file + " is damaged: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IOException(file + " is damaged: checksum mismatch");
        }
        Map<String, Long> positions = new LinkedHashMap<>();
        int count = buffer.getInt();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(buffer.getShort())];
            buffer.get(name);
            positions.put(new String(name, StandardCharsets.UTF_8), buffer.getLong());
        }
        return positions;
    }

    public void write(Map<String, Long> positions) throws IOException {
        int size = 4 + 4;
        for (String lane : positions.keySet()) {
            size += 2 + lane.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(positions.size());
        positions.forEach((lane, position) -> {
            byte[] name = lane.getBytes(StandardCharsets.UTF_8);
            buffer.putShort((short) name.length).put(name).putLong(position);
        });
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        AtomicFiles.write(file, buffer.array());
    }
}
