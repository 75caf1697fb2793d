package dev.edgeline.agent.internal;

import dev.edgeline.config.BootCounter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Hands out a stream's sequence numbers so that they never repeat, across restarts and power loss, without an
 * fsync per reading: numbers are reserved in blocks, and the end of the reserved block is made durable before any
 * number of the block is used. After a crash the stream continues at the end of the last reserved block (a gap of
 * at most one block, never a reuse). File: {@code <state>/seq/<stream>.next}. Not thread-safe: callers serialise (the
 * {@link ReadingFactory} locks each store).
 */
public final class SequenceStore {
    static final long BLOCK = 4096;
    private final Path file;
    private long next;
    private long reservedUpTo;

    public SequenceStore(Path stateDirectory, String stream) throws IOException {
        this.file = stateDirectory.resolve("seq").resolve(stream + ".next");
        Files.createDirectories(file.getParent());
        long start;
        try {
            start = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            start = 0;
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold a sequence number; refusing to reuse numbers (fix or remove it)", e);
        }
        this.next = start;
        this.reservedUpTo = start;
    }

    /** The next sequence number of the stream. */
    public long next() throws IOException {
        if (next >= reservedUpTo) {
            reserve(next + BLOCK);
        }
        return next++;
    }

    private void reserve(long upTo) throws IOException {
        BootCounter.writeDurably(file, upTo);
        reservedUpTo = upTo;
    }
}
