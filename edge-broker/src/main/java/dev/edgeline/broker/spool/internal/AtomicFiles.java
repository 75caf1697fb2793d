package dev.edgeline.broker.spool.internal;

import dev.edgeline.config.DurableDirectories;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Replaces small files atomically and durably: write a temp file, fsync it, rename over, fsync the directory; and
 * the same with a CRC32C trailer, so that damage is reported rather than read as data.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + file + " cannot rename atomically", e);
        }
        DurableDirectories.sync(file.toAbsolutePath().getParent());
    }

    /** Replaces {@code file} atomically with {@code payload} followed by its CRC32C (4 bytes). */
    public static void writeChecksummed(Path file, byte[] payload) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        write(file, ByteBuffer.allocate(payload.length + 4).put(payload).putInt((int) crc.getValue()).array());
    }

    /**
     * The payload of a file written by {@link #writeChecksummed}, without its CRC; empty when the file does not
     * exist; an {@link IOException} naming the file when it is too short or its checksum does not match.
     */
    public static Optional<ByteBuffer> readChecksummed(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < 4) {
            throw new IOException(file + " is damaged: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if (ByteBuffer.wrap(bytes).getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IOException(file + " is damaged: checksum mismatch");
        }
        return Optional.of(ByteBuffer.wrap(bytes, 0, bytes.length - 4).slice());
    }
}
