package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.AtomicFiles;
import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.FrameReader;
import dev.edgeline.broker.spool.internal.HighWaterMarks;
import dev.edgeline.broker.spool.internal.HighWaterMarks.StreamKey;
import dev.edgeline.broker.spool.internal.RecordCodec;
import dev.edgeline.broker.spool.internal.SegmentSet;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Spool} kept as a segmented append-only log in one directory.
 *
 * <h2>Files</h2>
 * <pre>
 *  spool/
 *    spool.lock                   held (flock) by the one process that writes this spool
 *    00000000000000000000.seg     segment files; the name is the spool position of the first byte
 *    00000000000067108912.seg     a segment is closed once the next frame would exceed segment-bytes
 *    dedup.snapshot               high-water marks per stream + the position they cover (atomic replace)
 *    readers/bridge.cursor        each reader's committed position (atomic replace)
 * </pre>
 * Frames are described in {@link RecordCodec}. A spool position is a byte offset across all segments, so the
 * segment holding position p is the one with the greatest base at or below p.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Durable before ack: one writer thread ({@code spool-writer}) takes every queued append, writes the batch,
 *       calls {@code fsync} once for all of it (group commit), and only then completes the futures.</li>
 *   <li>Recovery: on open, the last segment is scanned and a torn or partial tail (bad length or CRC) is truncated,
 *       so the log ends at the last complete record. Records whose futures completed are before that point.</li>
 *   <li>No duplicates: a record whose (boot, seq) is at or below its stream's high-water mark is acknowledged as
 *       {@link AppendOutcome#DUPLICATE} without being stored. Marks are rebuilt on open from the snapshot plus the
 *       segments after it; the snapshot is written before any segment is deleted.</li>
 *   <li>Bounded memory: at most {@code QUEUE_CAPACITY} appends wait for the disk; beyond that append fails fast.</li>
 * </ul>
 *
 * <h2>Limits (this version)</h2>
 * Readers must live in the writing process (they learn the durable position from it). A damaged frame inside a
 * closed segment makes readers skip the rest of that segment and count a damaged range. No byte budget or priority
 * lanes yet.
 */
public final class SegmentedFileSpool implements Spool {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedFileSpool.class);
    static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 8_192;
    private static final String SNAPSHOT = "dedup.snapshot";

    private final Path directory;
    private final long segmentBytes;
    private final SegmentSet segments;
    private final HighWaterMarks marks;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BlockingQueue<PendingAppend> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean readerCommitted = new AtomicBoolean();
    private final ReentrantLock durableLock = new ReentrantLock();
    private final Condition durableAdvanced = durableLock.newCondition();
    private final Thread writer;
    private final String logPrefix;

    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong damagedRanges = new AtomicLong();

    // Writer-thread state.
    private FileChannel active;
    private long activeBase;
    private long endPosition;
    private ByteBuffer batchBuffer = ByteBuffer.allocateDirect(1 << 20);

    private volatile long durablePosition;

    private record PendingAppend(SpoolRecord record, CompletableFuture<AppendOutcome> future) {}

    private SegmentedFileSpool(Path directory, long segmentBytes, FileChannel lockChannel, FileLock lock)
            throws IOException {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.logPrefix = "[Spool " + directory + "] ";
        Files.createDirectories(directory.resolve("readers"));
        this.segments = new SegmentSet(directory);
        this.marks = recover();
        this.writer = Thread.ofPlatform().name("spool-writer").daemon(false).unstarted(this::writeLoop);
    }

    /** Opens (creating if needed) and recovers the spool in {@code config.directory()}, and starts its writer. */
    public static SegmentedFileSpool open(SpoolConfig config) throws IOException {
        Path directory = config.directory();
        Files.createDirectories(directory);
        FileChannel lockChannel = FileChannel.open(directory.resolve("spool.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool " + directory + " is already open by another writer (spool.lock is held)");
        }
        try {
            SegmentedFileSpool spool = new SegmentedFileSpool(directory, config.segmentBytes(), lockChannel, lock);
            spool.writer.start();
            return spool;
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Rebuilds the high-water marks and finds the end of the log, truncating a torn tail. */
    private HighWaterMarks recover() throws IOException {
        HighWaterMarks recovered = new HighWaterMarks();
        long scanFrom = 0;
        try {
            var snapshot = HighWaterMarks.readSnapshot(directory.resolve(SNAPSHOT));
            if (snapshot.isPresent()) {
                recovered = snapshot.get().marks();
                scanFrom = snapshot.get().position();
            }
        } catch (IOException e) {
            LOG.warn("{}dedup snapshot unusable, rebuilding marks from the segments on disk: {}", logPrefix, e.getMessage());
        }
        if (segments.isEmpty()) {
            long base = Math.max(scanFrom, maxCursor().orElse(0));
            createSegment(base);
            endPosition = base;
            durablePosition = base;
            return recovered;
        }
        FrameReader frames = new FrameReader();
        Map.Entry<Long, Path> last = segments.last();
        for (Map.Entry<Long, Path> segment : segments.view().entrySet()) {
            long base = segment.getKey();
            boolean isLast = segment.getKey().equals(last.getKey());
            try (FileChannel channel = FileChannel.open(segment.getValue(), StandardOpenOption.READ)) {
                long size = channel.size();
                long segmentEnd = base + size;
                if (segmentEnd <= scanFrom && !isLast) {
                    continue;
                }
                long offset = Math.max(0, Math.min(scanFrom - base, size));
                FrameReader.Frame frame;
                while ((frame = frames.read(channel, offset, size)) != null) {
                    SpoolRecord r = frame.record();
                    recovered.raise(new StreamKey(r.device(), r.stream()), r.boot(), r.seq());
                    offset += frame.size();
                }
                if (offset < size) {
                    if (isLast) {
                        LOG.warn("{}torn tail in {}: truncating {} bytes after the last complete record at offset {}",
                                logPrefix, segment.getValue().getFileName(), size - offset, offset);
                        try (FileChannel rw = FileChannel.open(segment.getValue(), StandardOpenOption.WRITE)) {
                            rw.truncate(offset);
                            rw.force(true);
                        }
                    } else {
                        LOG.error("{}damaged data in {} at offset {} ({} bytes to the end of the segment are skipped)",
                                logPrefix, segment.getValue().getFileName(), offset, size - offset);
                    }
                }
                if (isLast) {
                    endPosition = base + offset;
                }
            }
        }
        activeBase = last.getKey();
        active = FileChannel.open(last.getValue(), StandardOpenOption.WRITE, StandardOpenOption.READ);
        active.position(endPosition - activeBase);
        durablePosition = endPosition;
        LOG.info("{}opened: {} segment(s), end position {}, {} stream mark(s)", logPrefix,
                segments.view().size(), endPosition, recovered.size());
        return recovered;
    }

    private void createSegment(long base) throws IOException {
        Path path = segments.pathFor(base);
        active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        activeBase = base;
        AtomicFiles.syncDirectory(directory);
        segments.add(base);
    }

    @Override
    public CompletableFuture<AppendOutcome> append(SpoolRecord record) {
        CompletableFuture<AppendOutcome> future = new CompletableFuture<>();
        if (closed.get()) {
            refused.incrementAndGet();
            future.completeExceptionally(new SpoolException("spool is closed"));
        } else if (!queue.offer(new PendingAppend(record, future))) {
            refused.incrementAndGet();
            future.completeExceptionally(new SpoolException(
                    "spool append queue is full (" + QUEUE_CAPACITY + " records waiting for the disk)"));
        }
        return future;
    }

    private void writeLoop() {
        List<PendingAppend> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                PendingAppend first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    commit(batch);
                    batch.clear();
                } else if (closed.get()) {
                    return;
                }
                if (readerCommitted.getAndSet(false)) {
                    deleteConsumedSegments();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, new SpoolException("spool writer interrupted"));
                return;
            } catch (RuntimeException e) {
                LOG.error("{}unexpected writer failure; the batch is refused and the writer goes on", logPrefix, e);
                failAll(batch, new SpoolException("spool writer failed: " + e, e));
                batch.clear();
            }
        }
    }

    /** Writes one batch with a single fsync and completes its futures. Runs on the writer thread. */
    private void commit(List<PendingAppend> batch) {
        long batchStart = endPosition;
        long segmentBaseAtStart = activeBase;
        List<StreamKey> raisedKeys = new ArrayList<>();
        List<HighWaterMarks.Mark> previousMarks = new ArrayList<>();
        AppendOutcome[] outcomes = new AppendOutcome[batch.size()];
        int written = 0;
        batchBuffer.clear();
        try {
            for (int i = 0; i < batch.size(); i++) {
                SpoolRecord record = batch.get(i).record();
                StreamKey key = new StreamKey(record.device(), record.stream());
                if (record.seq() == SpoolRecord.ASSIGN_SEQ) {
                    record = record.withSeq(marks.nextSeq(key));
                } else if (marks.isDuplicate(key, record.boot(), record.seq())) {
                    outcomes[i] = AppendOutcome.DUPLICATE;
                    continue;
                }
                int frameSize = RecordCodec.frameSize(record);
                long activeSize = endPosition - activeBase + batchBuffer.position();
                if (activeSize > 0 && activeSize + frameSize > segmentBytes) {
                    flushBuffer();
                    active.force(false);
                    fsyncs.incrementAndGet();
                    active.close();
                    createSegment(endPosition);
                }
                if (batchBuffer.remaining() < frameSize) {
                    if (batchBuffer.position() > 0) {
                        flushBuffer();
                    }
                    if (batchBuffer.capacity() < frameSize) {
                        batchBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(frameSize) << 1);
                    }
                }
                RecordCodec.encode(record, batchBuffer);
                raisedKeys.add(key);
                previousMarks.add(marks.raise(key, record.boot(), record.seq()));
                outcomes[i] = AppendOutcome.APPENDED;
                written++;
            }
            if (batchBuffer.position() > 0) {
                flushBuffer();
            }
            if (written > 0) {
                active.force(false);
                fsyncs.incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            for (int k = raisedKeys.size() - 1; k >= 0; k--) {
                marks.restore(raisedKeys.get(k), previousMarks.get(k));
            }
            rollBack(batchStart, segmentBaseAtStart);
            LOG.error("{}write of {} record(s) failed; they are refused and the log is rolled back to position {}: {}",
                    logPrefix, batch.size(), batchStart, e.toString());
            refused.addAndGet(batch.size());
            failAll(batch, new SpoolException("spool write failed: " + e.getMessage(), e));
            return;
        }
        appended.addAndGet(written);
        publishDurable(endPosition);
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes[i] == AppendOutcome.DUPLICATE) {
                duplicates.incrementAndGet();
            }
            batch.get(i).future().complete(outcomes[i]);
        }
    }

    private void flushBuffer() throws IOException {
        batchBuffer.flip();
        while (batchBuffer.hasRemaining()) {
            endPosition += active.write(batchBuffer);
        }
        batchBuffer.clear();
    }

    /** Undoes a failed batch: removes segments it created and truncates the active one back to where it began. */
    private void rollBack(long batchStart, long segmentBaseAtStart) {
        try {
            while (activeBase > segmentBaseAtStart) {
                active.close();
                Files.deleteIfExists(segments.pathFor(activeBase));
                segments.remove(activeBase);
                activeBase = segments.last().getKey();
                active = FileChannel.open(segments.pathFor(activeBase), StandardOpenOption.WRITE, StandardOpenOption.READ);
            }
            active.truncate(batchStart - activeBase);
            active.position(batchStart - activeBase);
            endPosition = batchStart;
        } catch (IOException e) {
            LOG.error("{}rollback failed; the next open will truncate the tail: {}", logPrefix, e.toString());
            endPosition = batchStart;
        }
        batchBuffer.clear();
    }

    private static void failAll(List<PendingAppend> batch, SpoolException error) {
        for (PendingAppend pending : batch) {
            pending.future().completeExceptionally(error);
        }
    }

    private void publishDurable(long position) {
        durableLock.lock();
        try {
            durablePosition = position;
            durableAdvanced.signalAll();
        } finally {
            durableLock.unlock();
        }
    }

    /** Waits until records exist at or beyond {@code position}; returns whether they do. */
    boolean awaitDurableBeyond(long position, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        durableLock.lock();
        try {
            while (durablePosition <= position && !closed.get()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = durableAdvanced.awaitNanos(nanos);
            }
            return durablePosition > position;
        } finally {
            durableLock.unlock();
        }
    }

    /** Deletes segments that every reader has consumed, after snapshotting the marks. Runs on the writer thread. */
    private void deleteConsumedSegments() {
        try {
            OptionalLong minCursor = minCursor();
            if (minCursor.isEmpty()) {
                return;
            }
            List<Long> deletable = new ArrayList<>();
            for (Map.Entry<Long, Path> segment : segments.view().entrySet()) {
                Map.Entry<Long, Path> next = segments.higher(segment.getKey());
                if (next != null && next.getKey() <= minCursor.getAsLong()) {
                    deletable.add(segment.getKey());
                }
            }
            if (deletable.isEmpty()) {
                return;
            }
            marks.writeSnapshot(directory.resolve(SNAPSHOT), endPosition);
            for (long base : deletable) {
                segments.remove(base);
                Files.deleteIfExists(segments.pathFor(base));
            }
            AtomicFiles.syncDirectory(directory);
            LOG.debug("{}deleted {} consumed segment(s)", logPrefix, deletable.size());
        } catch (IOException e) {
            LOG.warn("{}could not delete consumed segments (will retry on the next commit): {}", logPrefix, e.toString());
        }
    }

    private OptionalLong minCursor() throws IOException {
        return cursors().stream().mapToLong(Long::longValue).min();
    }

    private OptionalLong maxCursor() throws IOException {
        return cursors().stream().mapToLong(Long::longValue).max();
    }

    private List<Long> cursors() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.resolve("readers"), "*.cursor")) {
            for (Path file : files) {
                new CursorFile(file).read().ifPresent(positions::add);
            }
        }
        return positions;
    }

    void onReaderCommitted() {
        readerCommitted.set(true);
    }

    SegmentSet segments() {
        return segments;
    }

    Path directory() {
        return directory;
    }

    @Override
    public SpoolReader openReader(String name) throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("reader name must match [a-z0-9][a-z0-9_-]*: " + name);
        }
        CursorFile cursor = new CursorFile(directory.resolve("readers").resolve(name + ".cursor"));
        long start = cursor.read().orElse(segments.first().getKey());
        return new FileSpoolReader(this, name, cursor, start);
    }

    @Override
    public long durablePosition() {
        return durablePosition;
    }

    @Override
    public SpoolCounters counters() {
        long bytes = 0;
        for (Path path : segments.view().values()) {
            try {
                bytes += Files.size(path);
            } catch (IOException e) {
                // A segment deleted while we sum: it no longer counts.
            }
        }
        return new SpoolCounters(appended.get(), duplicates.get(), refused.get(), fsyncs.get(), bytes,
                segments.view().size(), damagedRanges.get());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.error("{}writer did not finish within 30 s; closing files anyway", logPrefix);
        }
        List<PendingAppend> leftover = new ArrayList<>();
        queue.drainTo(leftover);
        failAll(leftover, new SpoolException("spool is closed"));
        durableLock.lock();
        try {
            durableAdvanced.signalAll();
        } finally {
            durableLock.unlock();
        }
        try {
            if (active != null) {
                active.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("{}error closing files: {}", logPrefix, e.toString());
        }
        LOG.info("{}closed at position {}", logPrefix, durablePosition);
    }

    boolean isClosed() {
        return closed.get();
    }
}
