package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * A persisted position (a reader's committed cursor): 8 bytes of position followed by their CRC32C, replaced
 * atomically. A damaged file is reported, never silently read as zero.
 */
public final class CursorFile {
    private final Path file;

    public CursorFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    public OptionalLong read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (bytes.length != 12) {
            throw new IOException(file + " is damaged: " + bytes.length + " bytes instead of 12");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = buffer.getLong();
        if (buffer.getInt() != crc(position)) {
            throw new IOException(file + " is damaged: checksum mismatch");
        }
        return OptionalLong.of(position);
    }

    public void write(long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(12).putLong(position).putInt(crc(position));
        AtomicFiles.write(file, buffer.array());
    }

    private static int crc(long position) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, position));
        return (int) crc.getValue();
    }
}
