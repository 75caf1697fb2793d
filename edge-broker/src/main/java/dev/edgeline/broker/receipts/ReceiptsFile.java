package dev.edgeline.broker.receipts;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapSegmentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted Chronicle Map behind {@link StreamReceipts}, and what to do when a process died holding one of its
 * locks.
 *
 * <p>Chronicle Map's segment locks are words in the mapped file, not kernel locks: a process killed (SIGKILL, OOM, a
 * power cut) inside an update leaves its segment locked for every process, for good. Chronicle's own remedy,
 * {@code recoverPersistedTo}, needs every other process to have the file closed, which the broker and a separate
 * bridge never do at the same time. So such a file is <em>replaced</em>: a new map, holding every entry still readable
 * plus what the replacing process knows, is built as {@code receipts-<pid>-<n>.cmap}, and {@link StreamReceipts#FILE}
 * becomes a symbolic link to it (one atomic rename). The other processes notice that the link points elsewhere at
 * their next write and move to the new file. (Each generation has a name of its own because Chronicle shares one open
 * file per path within a JVM: reopening the same path would map the old file again.)
 *
 * <p>A lock that cannot be had within {@link #LOCK_TIMEOUT_SECONDS} counts as held by a dead process (the receipts'
 * own updates hold a lock for microseconds). Chronicle spins for that long and then throws
 * {@link InterProcessDeadLockException}; its default of 60 s would stall shutdown and every {@code /metrics} scrape.
 *
 * <p>Thread safety: any thread may read and update; {@link #followReplacement()} and {@link #replace} swap the map
 * under a write lock, so no thread touches a map after it is closed.
 */
final class ReceiptsFile implements AutoCloseable {
    /** How long a segment lock is waited for before its holder counts as dead. */
    static final int LOCK_TIMEOUT_SECONDS = 2;
    private static final String LOCK_TIMEOUT_PROPERTY = "net.openhft.chronicle.map.lockTimeoutSeconds";
    private static final String GENERATION_PREFIX = "receipts-";
    private static final long STALE_GENERATION_MILLIS = 60_000;
    private static final AtomicInteger GENERATIONS = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(ReceiptsFile.class);

    static {
        // Read once, when Chronicle's segment header class is first loaded: set before any map is opened.
        if (System.getProperty(LOCK_TIMEOUT_PROPERTY) == null) {
            System.setProperty(LOCK_TIMEOUT_PROPERTY, Integer.toString(LOCK_TIMEOUT_SECONDS));
        }
    }

    /** What could be read: every entry of the segments that could be locked, and how many could not be. */
    record Readout(Map<String, byte[]> entries, int lockedSegments) {}

    private final Path link;
    private final int valueBytes;
    private final int maxEntries;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private ChronicleMap<String, byte[]> map;
    private Path mapped; // the real file behind the map
    private boolean closed;

    private ReceiptsFile(Path link, int maxEntries, int valueBytes) {
        this.link = link;
        this.maxEntries = maxEntries;
        this.valueBytes = valueBytes;
    }

    /** Opens (or creates) {@code file}; an existing file that cannot be opened is replaced by an empty one. */
    static ReceiptsFile open(Path file, int maxEntries, int valueBytes) throws IOException {
        ReceiptsFile receipts = new ReceiptsFile(file, maxEntries, valueBytes);
        receipts.openCurrent();
        return receipts;
    }

    Path path() {
        return link;
    }

    /**
     * Opens the file the name leads to, first creating it under a temporary name and linking it into place when there
     * is none, so that the file under its own name is always complete (Chronicle waits a minute for a half-created
     * file to become ready).
     */
    private void openCurrent() throws IOException {
        mapped = ensureExists().toRealPath();
        try {
            map = create(mapped);
        } catch (RuntimeException unreadable) {
            LOG.warn("receipts {} could not be opened ({}); starting them afresh", mapped, unreadable.toString());
            Files.deleteIfExists(mapped);
            Files.deleteIfExists(link);
            mapped = ensureExists().toRealPath();
            map = create(mapped); // a file just created that cannot be opened either: the error goes to the caller
        }
    }

    /** Creates an empty map under the name when it leads nowhere; returns the name. */
    private Path ensureExists() throws IOException {
        if (!Files.exists(link)) {
            Files.deleteIfExists(link); // a link to a generation deleted by hand
            Path temp = link.resolveSibling(link.getFileName() + ".new-" + ProcessHandle.current().pid());
            create(temp).close();
            try {
                Files.createLink(link, temp); // atomic, and never replaces a file another process just created
            } catch (java.nio.file.FileAlreadyExistsException anotherProcessWasFirst) {
                // theirs is complete too: use it
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return link;
    }

    private ChronicleMap<String, byte[]> create(Path path) throws IOException {
        return ChronicleMap.of(String.class, byte[].class)
                .name("edge-stream-receipts")
                .entries(maxEntries)
                .averageKeySize(40)
                .constantValueSizeBySample(new byte[valueBytes])
                .createPersistedTo(path.toFile());
    }

    /**
     * Atomic read-modify-write of one entry under its segment's inter-process lock.
     *
     * @throws InterProcessDeadLockException when the segment stays locked: its holder died; {@link #replace}
     * @throws IllegalStateException         when the map is full
     */
    void compute(String key, BiFunction<String, byte[], byte[]> update) {
        swap.readLock().lock();
        try {
            map.compute(key, update);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** Every entry that can be read, segment by segment; a segment whose lock cannot be had is counted and skipped. */
    Readout read() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        int locked = 0;
        swap.readLock().lock();
        try {
            for (int segment = 0; segment < map.segments(); segment++) {
                Map<String, byte[]> ofSegment = new LinkedHashMap<>();
                try (MapSegmentContext<String, byte[], ?> context = map.segmentContext(segment)) {
                    context.forEachSegmentEntry(entry ->
                            ofSegment.put(entry.key().get(), entry.value().getUsing(new byte[valueBytes])));
                    entries.putAll(ofSegment);
                } catch (InterProcessDeadLockException lockedByADeadProcess) {
                    locked++;
                }
            }
        } finally {
            swap.readLock().unlock();
        }
        return new Readout(entries, locked);
    }

    /**
     * Moves to the file the name leads to when another process replaced it since this one was opened.
     *
     * @return whether it did
     */
    boolean followReplacement() throws IOException {
        Path current;
        try {
            current = link.toRealPath();
        } catch (java.nio.file.NoSuchFileException deletedByHand) {
            return false; // keep writing where we are; the next start creates a new file
        }
        if (current.equals(mapped)) {
            return false;
        }
        swapTo(current);
        return true;
    }

    /**
     * Builds a new generation holding {@code entries}, points the name at it and moves to it. The generation left
     * behind stays mapped by processes that have not followed yet; the kernel frees it when they have.
     */
    void replace(Map<String, byte[]> entries) throws IOException {
        Path generation = link.resolveSibling(GENERATION_PREFIX + ProcessHandle.current().pid() + "-"
                + GENERATIONS.incrementAndGet() + ".cmap");
        Files.deleteIfExists(generation);
        try (ChronicleMap<String, byte[]> fresh = create(generation)) {
            fresh.putAll(entries);
        }
        Path newLink = link.resolveSibling(link.getFileName() + ".link-" + ProcessHandle.current().pid());
        Files.deleteIfExists(newLink);
        Files.createSymbolicLink(newLink, generation.getFileName());
        Files.move(newLink, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        swapTo(generation.toRealPath());
    }

    private void swapTo(Path real) throws IOException {
        swap.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            ChronicleMap<String, byte[]> fresh = create(real); // a path of its own: a new mapping, not the old one
            ChronicleMap<String, byte[]> old = map;
            Path left = mapped;
            map = fresh;
            mapped = real;
            old.close();
            if (isGeneration(left)) {
                Files.deleteIfExists(left); // nothing leads to it any more; mappings of it stay valid
            }
        } finally {
            swap.writeLock().unlock();
        }
    }

    private static boolean isGeneration(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(GENERATION_PREFIX) && name.endsWith(".cmap");
    }

    /**
     * Deletes generations nothing leads to that are over a minute old: left by a process that died during a
     * replacement, or before deleting the one it left. For writers (a reader may not own the directory).
     */
    void deleteStaleGenerations() throws IOException {
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(link.getParent(), GENERATION_PREFIX + "*.cmap")) {
            for (Path file : files) {
                Path real = file.toRealPath();
                if (!real.equals(mapped)
                        && now - Files.getLastModifiedTime(file).toMillis() > STALE_GENERATION_MILLIS) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** Unmaps the file; waits for threads still reading or writing it. */
    @Override
    public void close() {
        swap.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                map.close();
            }
        } finally {
            swap.writeLock().unlock();
        }
    }
}
