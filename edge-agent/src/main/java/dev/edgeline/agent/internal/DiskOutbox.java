package dev.edgeline.agent.internal;

import dev.edgeline.config.DurableDirectories;
import dev.edgeline.agent.Reading;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's outbox: every reading is appended to a log on disk before it is published, and stays until the broker
 * acknowledged it, across broker outages, agent crashes and restarts. A bounded window of the oldest waiting readings
 * is kept in memory; the rest are read back from disk when their turn comes, so memory does not grow with an outage.
 *
 * <p>Files under {@code <state>/outbox/}: segments {@code <first order, 20 digits>.log} of frames
 * {@code [u32 body length][u32 CRC32C of order+body][u64 order][body]}, body = device, stream (u16 length + UTF-8),
 * boot, seq (u64), clock synced (u8), payload (u32 length + UTF-8); and {@code acked}, the order below which
 * everything was acknowledged ({@code [u64][u32 CRC32C]}, replaced atomically). Orders increase by one per reading
 * and never repeat.
 *
 * <p>Durability: appends are written at once (they survive the agent being killed) and fsynced by {@link #sync()},
 * which the publisher calls every {@code outbox-sync-interval}; the {@code acked} cursor is written there too, without
 * an fsync. After a crash, readings acknowledged after the last cursor write are sent again: the broker recognises
 * them by identity and drops them, so the outbox can afford a lazy cursor. A torn frame at the end of the last
 * segment (power cut mid-write) is truncated at start-up.
 *
 * <p>Budget: when the segments exceed {@code budgetBytes}, the oldest segment is deleted; the unacknowledged readings
 * in it are dropped, counted and reported by {@link #takeOverflow()} with their streams and seq ranges.
 *
 * <p>Not thread-safe: the publisher calls it under its lock.
 */
public final class DiskOutbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskOutbox.class);
    static final int MEMORY_WINDOW = 1024;

    /** A reading with its place in the outbox. */
    public record Entry(long order, Reading reading) {}

    /** Readings dropped by one overflow: total and, per stream, {first seq, last seq, count}. */
    public record Overflow(long dropped, Map<String, long[]> byStream) {}

    private record Segment(Path file, long firstOrder, long endOrder, long bytes) {}

    private final Path directory;
    private final long budgetBytes;
    private final long segmentBytes;
    private final NavigableMap<Long, Segment> closed = new TreeMap<>();
    private final NavigableMap<Long, Entry> memory = new TreeMap<>();
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private final List<Overflow> overflows = new ArrayList<>();

    private FileChannel active;
    private Path activeFile;
    private long activeFirstOrder;
    private long activeBytes;
    private boolean activeDirty;
    private long nextOrder;
    /** Every order below this is in memory, outstanding, acknowledged or dropped; at or above it, only on disk. */
    private long loadedUpTo;
    private long cursorWritten = -1;
    private long droppedTotal;
    private long closedBytes;

    /** Opens (or creates) the outbox in {@code directory}, recovering what a previous process left. */
    public DiskOutbox(Path directory, long budgetBytes) throws IOException {
        this.directory = directory;
        this.budgetBytes = budgetBytes;
        this.segmentBytes = Math.max(64 << 10, Math.min(1 << 20, budgetBytes / 8));
        DurableDirectories.create(directory);
        long acked = readCursor();
        List<Path> files;
        try (var listing = Files.list(directory)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        long end = acked;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long first = Long.parseLong(file.getFileName().toString().replace(".log", ""));
            long[] scanned = scan(file, first, i == files.size() - 1);
            if (scanned[0] <= acked) {
                Files.delete(file); // wholly acknowledged
                continue;
            }
            closed.put(first, new Segment(file, first, scanned[0], scanned[1]));
            closedBytes += scanned[1];
            end = Math.max(end, scanned[0]);
        }
        this.nextOrder = end;
        this.loadedUpTo = Math.max(acked, closed.isEmpty() ? acked : closed.firstKey());
        this.cursorWritten = acked;
        openActive();
        if (pending() > 0) {
            LOG.info("outbox {}: {} reading(s) from before the restart waiting to be published", directory, pending());
        }
    }

    /** Appends a reading; returns its entry. */
    public Entry append(Reading reading) throws IOException {
        long order = nextOrder;
        ByteBuffer frame = OutboxFrames.frame(order, reading);
        int frameBytes = frame.remaining();
        if (activeBytes > 0 && activeBytes + frameBytes > segmentBytes) {
            roll();
        }
        while (closedBytes + activeBytes + frameBytes > budgetBytes && !closed.isEmpty()) {
            dropOldestSegment();
        }
        while (frame.hasRemaining()) {
            active.write(frame);
        }
        activeBytes += frameBytes;
        activeDirty = true;
        nextOrder++;
        Entry entry = new Entry(order, reading);
        if (loadedUpTo == order && memory.size() < MEMORY_WINDOW) {
            memory.put(order, entry);
            loadedUpTo = order + 1;
        }
        return entry;
    }

    /** The oldest reading not yet handed out, or null; it counts as outstanding until acknowledged or returned. */
    public Entry poll() throws IOException {
        if (memory.isEmpty() && loadedUpTo < nextOrder) {
            load();
        }
        Map.Entry<Long, Entry> first = memory.pollFirstEntry();
        if (first == null) {
            return null;
        }
        outstanding.add(first.getKey());
        return first.getValue();
    }

    /** Puts outstanding entries back (connection lost, refused); they are handed out again first, in order. */
    public void giveBack(List<Entry> entries) {
        for (Entry e : entries) {
            if (outstanding.remove(e.order())) {
                memory.put(e.order(), e);
            }
        }
    }

    /** Marks an entry acknowledged; false when it already was (or was dropped). */
    public boolean acknowledge(long order) {
        boolean known = outstanding.remove(order) || memory.remove(order) != null;
        if (known) {
            deleteAcknowledgedSegments();
        }
        return known;
    }

    /** Readings not yet acknowledged (outstanding, in memory or only on disk). */
    public long pending() {
        return outstanding.size() + memory.size() + (nextOrder - loadedUpTo);
    }

    /** Readings dropped because the budget was exceeded, since open. */
    public long dropped() {
        return droppedTotal;
    }

    /** Overflows not yet reported; clears them. */
    public List<Overflow> takeOverflow() {
        List<Overflow> out = List.copyOf(overflows);
        overflows.clear();
        return out;
    }

    /** Makes appended readings durable and records the acknowledged position. */
    public void sync() throws IOException {
        if (activeDirty) {
            active.force(false);
            activeDirty = false;
        }
        long acked = lowestUnacknowledged();
        if (acked != cursorWritten) {
            writeCursor(acked);
            cursorWritten = acked;
        }
    }

    /** Everything below this order is acknowledged or dropped. */
    long lowestUnacknowledged() {
        long lowest = loadedUpTo;
        if (!outstanding.isEmpty()) {
            lowest = Math.min(lowest, outstanding.first());
        }
        if (!memory.isEmpty()) {
            lowest = Math.min(lowest, memory.firstKey());
        }
        return lowest;
    }

    private void load() throws IOException {
        Map.Entry<Long, Segment> floor = closed.floorEntry(loadedUpTo);
        List<Entry> entries = new ArrayList<>();
        if (floor != null && loadedUpTo < floor.getValue().endOrder()) {
            readFrames(floor.getValue().file(), loadedUpTo, MEMORY_WINDOW, entries);
        } else if (loadedUpTo >= activeFirstOrder) {
            readFrames(activeFile, loadedUpTo, MEMORY_WINDOW, entries);
        } else {
            // A gap (a corrupt segment skipped at start-up): continue at the next segment.
            Map.Entry<Long, Segment> next = closed.ceilingEntry(loadedUpTo);
            loadedUpTo = next == null ? activeFirstOrder : next.getKey();
            return;
        }
        for (Entry e : entries) {
            memory.put(e.order(), e);
        }
        if (!entries.isEmpty()) {
            loadedUpTo = entries.getLast().order() + 1;
        } else {
            Map.Entry<Long, Segment> next = closed.higherEntry(loadedUpTo);
            loadedUpTo = next == null ? Math.max(loadedUpTo, activeFirstOrder) : next.getKey();
        }
    }

    private void readFrames(Path file, long fromOrder, int max, List<Entry> out) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            OutboxFrames.readValidFrames(channel, fromOrder, (order, body) -> {
                if (out.size() >= max) {
                    return false;
                }
                out.add(new Entry(order, OutboxFrames.decode(body)));
                return true;
            });
        }
    }

    private void roll() throws IOException {
        active.force(false);
        active.close();
        activeDirty = false;
        closed.put(activeFirstOrder, new Segment(activeFile, activeFirstOrder, nextOrder, activeBytes));
        closedBytes += activeBytes;
        openActive();
    }

    private void openActive() throws IOException {
        activeFirstOrder = nextOrder;
        activeFile = directory.resolve(String.format("%020d.log", nextOrder));
        Segment existing = closed.remove(nextOrder);
        if (existing != null) {
            closedBytes -= existing.bytes();
        }
        boolean created = !Files.exists(activeFile);
        active = FileChannel.open(activeFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        activeBytes = active.size();
        if (created) {
            // the new name must survive a power cut before anything fsynced in the file counts as durable
            DurableDirectories.sync(directory);
        }
    }

    private void dropOldestSegment() throws IOException {
        Segment oldest = closed.pollFirstEntry().getValue();
        closedBytes -= oldest.bytes();
        List<Entry> entries = new ArrayList<>();
        readFrames(oldest.file(), oldest.firstOrder(), Integer.MAX_VALUE, entries);
        Map<String, long[]> byStream = new LinkedHashMap<>();
        long dropped = 0;
        for (Entry e : entries) {
            boolean unsent = e.order() >= loadedUpTo || memory.remove(e.order()) != null;
            if (unsent) {
                dropped++;
                long seq = e.reading().seq();
                byStream.merge(e.reading().stream(), new long[] {seq, seq, 1},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + 1});
            }
        }
        loadedUpTo = Math.max(loadedUpTo, oldest.endOrder());
        Files.deleteIfExists(oldest.file());
        if (dropped > 0) {
            droppedTotal += dropped;
            overflows.add(new Overflow(dropped, byStream));
        }
    }

    private void deleteAcknowledgedSegments() {
        long lowest = lowestUnacknowledged();
        while (!closed.isEmpty() && closed.firstEntry().getValue().endOrder() <= lowest) {
            Segment done = closed.pollFirstEntry().getValue();
            closedBytes -= done.bytes();
            try {
                Files.deleteIfExists(done.file());
            } catch (IOException e) {
                LOG.warn("outbox: cannot delete acknowledged segment {}: {}", done.file(), e.toString());
            }
        }
    }

    /** Returns {end order, valid bytes}; truncates a torn or corrupt tail of the last segment. */
    private long[] scan(Path file, long firstOrder, boolean last) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long[] expected = {firstOrder};
            long position = OutboxFrames.readValidFrames(channel, Long.MIN_VALUE, (order, body) -> {
                if (order != expected[0]) {
                    return false;
                }
                expected[0]++;
                return true;
            });
            long size = channel.size();
            if (position < size) {
                if (last) {
                    LOG.warn("outbox: truncating {} at byte {} of {} (torn write from a crash)", file, position, size);
                    channel.truncate(position);
                    channel.force(true);
                } else {
                    LOG.error("outbox: {} is damaged at byte {}; {} byte(s) after it are lost", file, position,
                            size - position);
                }
            }
            return new long[] {expected[0], position};
        }
    }

    private long readCursor() throws IOException {
        Path file = directory.resolve("acked");
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (bytes.length == 12) {
                long value = b.getLong();
                CRC32C crc = new CRC32C();
                crc.update(bytes, 0, 8);
                if ((int) crc.getValue() == b.getInt()) {
                    return value;
                }
            }
            LOG.warn("outbox: {} is damaged; resending everything still on disk (the broker drops duplicates)", file);
            return 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private void writeCursor(long acked) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12).putLong(acked);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 8);
        b.putInt((int) crc.getValue());
        Path tmp = directory.resolve("acked.tmp");
        Files.write(tmp, b.array());
        Files.move(tmp, directory.resolve("acked"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        sync();
        active.close();
    }
}
