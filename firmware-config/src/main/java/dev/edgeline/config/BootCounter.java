package dev.edgeline.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The {@code boot} part of record identity: a number persisted in a file that increases by one at each start of
 * the process that owns it. The new value is on disk (written to a temp file, fsynced, renamed, directory fsynced)
 * before {@link #increment} returns, so two starts never share a boot number, even across power loss.
 */
public final class BootCounter {
    private BootCounter() {}

    /** Reads the previous boot number (0 if the file does not exist), stores previous + 1 and returns it. */
    public static long increment(Path file) throws IOException {
        long previous = 0;
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            previous = Long.parseLong(text);
        } catch (NoSuchFileException e) {
            previous = 0;
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold a boot number; refusing to guess one (fix or remove it)", e);
        }
        long next = previous + 1;
        writeDurably(file, next);
        return next;
    }

    /**
     * Replaces {@code file} with the decimal {@code value} so that it survives power loss: temp file, fsync, atomic
     * rename, directory fsync.
     */
    public static void writeDurably(Path file, long value) throws IOException {
        writeDurably(file, Long.toString(value));
    }

    /** Replaces {@code file} with the line {@code text}, as {@link #writeDurably(Path, long)} does. */
    public static void writeDurably(Path file, String text) throws IOException {
        DurableDirectories.create(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableDirectories.sync(file.toAbsolutePath().getParent());
    }
}
