package dev.edgeline.agent.internal;

import dev.edgeline.config.DurableDirectories;
import dev.edgeline.config.BootCounter;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out a stream's sequence numbers so that they never repeat, across restarts and power loss, and continue
 * without a gap wherever that is safe, so that a hole in {@code seq} means a lost reading.
 *
 * <ul>
 *   <li><b>Reservations</b> ({@code <state>/seq/<stream>.next}): numbers are reserved in blocks of {@value #BLOCK}
 *       and the end of the block is made durable (fsync) before any number of it is used. This is what makes reuse
 *       impossible after a power cut.</li>
 *   <li><b>The exact next number</b> ({@code <state>/seq/<stream>.used}, memory-mapped, 32 bytes): updated with
 *       every number handed out, with the kernel's boot id. A restart in the same kernel boot (the agent crashed or
 *       was killed: the page cache, and so this file, is intact) continues exactly there. A clean stop writes the
 *       next number durably as the reservation. Only after the machine itself went down uncleanly (another boot id)
 *       does the stream continue at the end of the reserved block: a gap of at most one block, never a reuse, and a
 *       warning says so.</li>
 * </ul>
 * Not thread-safe: callers serialise (the {@link ReadingFactory} locks each store).
 */
public final class SequenceStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SequenceStore.class);
    static final long BLOCK = 4096;
    /** Follows the number in the reservation file after a clean stop: nothing was skipped. */
    private static final String CLEAN_STOP = "clean";
    /** Follows it, with the first number, while a skipped range is not yet declared durably. */
    private static final String UNDECLARED = "undeclared";
    /**
     * Where the kernel's boot id is read: {@code /proc/sys/kernel/random/boot_id}, unless this system property names
     * another file (the power-cut tests play a reboot by changing that file's content).
     */
    public static final String BOOT_ID_FILE_PROPERTY = "edgeline.kernel-boot-id-file";
    private static final String KERNEL_BOOT_ID = "/proc/sys/kernel/random/boot_id";
    private final Path file;
    private final MappedByteBuffer used;
    private final Optional<UUID> kernelBoot;
    private long next;
    private long reservedUpTo;
    private final Optional<long[]> skipped;
    private Optional<Long> undeclaredFrom;

    public SequenceStore(Path stateDirectory, String stream) throws IOException {
        this(stateDirectory, stream, kernelBootId());
    }

    SequenceStore(Path stateDirectory, String stream, Optional<UUID> kernelBoot) throws IOException {
        this.file = stateDirectory.resolve("seq").resolve(stream + ".next");
        this.kernelBoot = kernelBoot;
        DurableDirectories.create(file.getParent());
        Reservation reservation = Reservation.read(file);
        long reserved = reservation.end();
        Path usedFile = stateDirectory.resolve("seq").resolve(stream + ".used");
        try (FileChannel channel = FileChannel.open(usedFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            this.used = channel.map(FileChannel.MapMode.READ_WRITE, 0, 32);
        }
        long start = reserved;
        Optional<Long> exact = exactNext(reserved);
        Optional<Long> skippedFrom = reservation.undeclaredFrom();
        if (exact.isPresent()) {
            start = exact.get();
        } else if (!reservation.cleanStop()) {
            skippedFrom = Optional.of(skippedFrom.orElse(Math.max(0, reserved - BLOCK)));
            LOG.warn("stream {}: the machine went down without stopping the agent; seq continues at {}, the end of "
                    + "its last reserved block: seq {}..{} that no reading in Kafka carries were never used or were "
                    + "lost unacknowledged with the machine (declared on the health stream)", stream, reserved,
                    skippedFrom.get(), reserved - 1);
        }
        long first = skippedFrom.orElse(start);
        this.skipped = first < start ? Optional.of(new long[] {first, start - 1}) : Optional.empty();
        this.undeclaredFrom = skipped.map(range -> range[0]);
        this.next = start;
        this.reservedUpTo = reserved;
        if (undeclaredFrom.isPresent()) {
            writeReservation(reserved); // a cut before the declaration is stored keeps the range to declare
        }
        record(start);
    }

    /**
     * The reservation file's content: {@code N} (numbers below N may have been used), {@code N clean} (a clean stop:
     * the next number is exactly N) or {@code N undeclared F} (numbers F..N-1 may be unused, and that has not yet been
     * declared durably).
     */
    private record Reservation(long end, boolean cleanStop, Optional<Long> undeclaredFrom) {
        static Reservation read(Path file) throws IOException {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.US_ASCII).trim();
            } catch (NoSuchFileException e) {
                return new Reservation(0, true, Optional.empty());
            }
            String[] words = content.split("\\s+");
            try {
                long end = Long.parseLong(words[0]);
                if (words.length == 1) {
                    return new Reservation(end, false, Optional.empty());
                }
                if (words.length == 2 && words[1].equals(CLEAN_STOP)) {
                    return new Reservation(end, true, Optional.empty());
                }
                if (words.length == 3 && words[1].equals(UNDECLARED)) {
                    return new Reservation(end, false, Optional.of(Long.parseLong(words[2])));
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IOException(file + " does not hold a sequence number ('" + content + "'); refusing to reuse "
                    + "numbers (fix or remove it)");
        }
    }

    /**
     * After the machine went down without stopping the agent: the range of numbers {first, last} that may have been
     * handed out without a reading of them reaching the broker (never used, or lost unacknowledged with the machine).
     * Every number below {@code last + 1} the broker never got lies in it; numbers of it that did arrive are in
     * Kafka as usual.
     */
    public Optional<long[]> skipped() {
        return skipped.map(long[]::clone);
    }

    /** The exact next number, when this file was written in the current kernel boot and is intact. */
    private Optional<Long> exactNext(long reserved) {
        if (kernelBoot.isEmpty() || used.getLong(0) != kernelBoot.get().getMostSignificantBits()
                || used.getLong(8) != kernelBoot.get().getLeastSignificantBits()) {
            return Optional.empty();
        }
        long value = used.getLong(16);
        if (value != ~used.getLong(24) || value < 0 || value > reserved) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** The next sequence number of the stream. */
    public long next() throws IOException {
        if (next >= reservedUpTo) {
            reserve(next + BLOCK);
        }
        long seq = next++;
        record(next);
        return seq;
    }

    private void record(long value) {
        UUID boot = kernelBoot.orElse(new UUID(0, 0));
        used.putLong(0, boot.getMostSignificantBits());
        used.putLong(8, boot.getLeastSignificantBits());
        used.putLong(16, value);
        used.putLong(24, ~value);
    }

    private void reserve(long upTo) throws IOException {
        writeReservation(upTo);
        reservedUpTo = upTo;
    }

    private void writeReservation(long upTo) throws IOException {
        BootCounter.writeDurably(file, undeclaredFrom.map(from -> upTo + " " + UNDECLARED + " " + from)
                .orElse(Long.toString(upTo)));
    }

    /**
     * The skipped range is declared durably (the declaration is fsynced in the outbox, which delivers it): the
     * reservation file stops carrying it.
     */
    public void skippedDeclared() throws IOException {
        if (undeclaredFrom.isPresent()) {
            undeclaredFrom = Optional.empty();
            writeReservation(reservedUpTo);
        }
    }

    /** A clean stop: the next number becomes the durable reservation, so that the next start continues exactly. */
    @Override
    public void close() throws IOException {
        if (undeclaredFrom.isPresent()) {
            reserve(next); // still to declare: the next start does
        } else {
            BootCounter.writeDurably(file, next + " " + CLEAN_STOP);
            reservedUpTo = next;
        }
        for (int offset = 0; offset < 32; offset += 8) {
            used.putLong(offset, 0); // nothing to recover from this file: the reservation is exact now
        }
        used.force();
    }

    static Optional<UUID> kernelBootId() {
        try {
            Path source = Path.of(System.getProperty(BOOT_ID_FILE_PROPERTY, KERNEL_BOOT_ID));
            return Optional.of(UUID.fromString(Files.readString(source, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // not Linux: continue at the reservation's end, as after a power cut
        }
    }
}
