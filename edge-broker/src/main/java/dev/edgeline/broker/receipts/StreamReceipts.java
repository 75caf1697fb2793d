package dev.edgeline.broker.receipts;

import dev.edgeline.broker.spool.Spool.DurableMark;
import dev.edgeline.broker.spool.Spool.StreamId;
import dev.edgeline.broker.spool.Spool.StreamMark;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-stream delivery receipts: for every stream, the last (boot, seq) the spool made durable (ingested) and the last
 * one committed in Kafka, each with its time. Kept in a Chronicle Map persisted at {@code <spool>/receipts.cmap}, one
 * memory-mapped file that the broker (ingested), the bridge (committed, in its own process or the broker's) and
 * {@code bin/edge status --streams} open at the same time; each update is an atomic read-modify-write under the map's
 * inter-process segment lock, so the two writers never undo each other's half.
 *
 * <p>A report, not state: nothing is decided from it, it is written at most every {@link #FLUSH_INTERVAL_MILLIS}
 * (the callers' threads only note the new marks in memory; the thread {@code receipts-writer} writes them), it is
 * never fsynced, and a file that cannot be opened is replaced by an empty one. Before the first commit a stream's
 * lag counts from the first seq the receipts saw (the highest of the first batch noted). Holds at most {@link #MAX_STREAMS}
 * streams; past that, new streams are left out (logged once) and the data path is unaffected.
 *
 * <p>A process killed while it holds one of the map's locks leaves that lock held (see {@link ReceiptsFile}). No
 * thread waits more than {@link ReceiptsFile#LOCK_TIMEOUT_SECONDS} for one: {@link #snapshot()} leaves that
 * segment's streams out, and the writer replaces the file with what is readable plus everything this process wrote,
 * which the other processes then follow; the first flush after opening checks every segment, so a file left so by a
 * crash or a power cut is repaired at the next start.
 */
public final class StreamReceipts implements AutoCloseable {
    public static final String FILE = "receipts.cmap";
    public static final int MAX_STREAMS = 16_384;
    static final long FLUSH_INTERVAL_MILLIS = 200;
    static final int CLOSE_TIMEOUT_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(StreamReceipts.class);
    private static final int LONGS = 7;
    private static final int LANE_BYTES = 32; // lane names are at most 32 ASCII characters
    static final int VALUE_BYTES = LONGS * Long.BYTES + LANE_BYTES;
    private static final long NONE = -1;

    /**
     * One stream's receipt.
     *
     * @param lane              the spool lane the stream's records go to ("" until one was ingested)
     * @param firstSeq          the first seq ingested while receipts were kept (the base of the lag before any commit)
     * @param ingestedAtMillis  when the last ingested mark was noted (0: nothing ingested yet)
     * @param committedAtMillis when the last committed mark was noted (0: nothing committed yet)
     */
    public record Receipt(String device, String stream, String lane, long firstSeq, long ingestedBoot, long ingestedSeq,
                          long ingestedAtMillis, long committedBoot, long committedSeq, long committedAtMillis) {

        /**
         * Records ingested and not yet committed, counted by seq (seq is continuous per stream, across boots, so a
         * hole that a gap marker explains counts as the records it stands for).
         */
        public long lagRecords() {
            if (ingestedAtMillis == 0) {
                return 0;
            }
            if (committedAtMillis == 0) {
                return ingestedSeq - firstSeq + 1;
            }
            return Math.max(0, ingestedSeq - committedSeq);
        }
    }

    private final ReceiptsFile file;
    private final Map<StreamId, DurableMark> pendingIngested = new ConcurrentHashMap<>();
    private final Map<StreamId, StreamMark> pendingCommitted = new ConcurrentHashMap<>();
    /** The newest mark this process wrote per stream, with its time: what it puts into a replacement file. */
    private final Map<StreamId, WrittenIngested> writtenIngested = new ConcurrentHashMap<>();
    private final Map<StreamId, WrittenCommitted> writtenCommitted = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer;
    private final AtomicBoolean lockedSegmentSeen = new AtomicBoolean(true); // the first flush checks every segment
    private volatile boolean fullLogged;

    private record WrittenIngested(String lane, long firstSeq, long boot, long seq, long atMillis) {}

    private record WrittenCommitted(long boot, long seq, long atMillis) {}

    private StreamReceipts(ReceiptsFile file, boolean withWriter) {
        this.file = file;
        if (withWriter) {
            writer = Executors.newSingleThreadScheduledExecutor(
                    runnable -> Thread.ofPlatform().name("receipts-writer").daemon().unstarted(runnable));
            writer.scheduleWithFixedDelay(this::flushQuietly, 0, FLUSH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            writer = null;
        }
    }

    /** Opens (or creates) the receipts of the spool in {@code spoolDirectory}, for writing. */
    public static StreamReceipts open(Path spoolDirectory) throws IOException {
        ReceiptsFile file = ReceiptsFile.open(spoolDirectory.resolve(FILE), MAX_STREAMS, VALUE_BYTES);
        try {
            file.deleteStaleGenerations();
        } catch (IOException e) {
            LOG.warn("receipts {}: old generations not deleted: {}", file.path(), e.toString());
        }
        return new StreamReceipts(file, true);
    }

    /** Opens existing receipts to read them ({@code bin/edge status --streams}); fails if there are none yet. */
    public static StreamReceipts openToRead(Path spoolDirectory) throws IOException {
        Path file = spoolDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file + " (no receipts yet: has edge-broker run?)");
        }
        return new StreamReceipts(ReceiptsFile.open(file, MAX_STREAMS, VALUE_BYTES), false);
    }

    /** Notes the durable marks of a spool batch. Cheap, any thread (the spool's writer). */
    public void ingested(Map<StreamId, DurableMark> marks) {
        marks.forEach((id, mark) -> pendingIngested.merge(id, mark, (a, b) ->
                compare(a.boot(), a.seq(), b.boot(), b.seq()) >= 0 ? a : b));
    }

    /** Notes the marks of a batch committed in Kafka. Cheap, any thread (the bridge's). */
    public void committed(Map<StreamId, StreamMark> marks) {
        marks.forEach((id, mark) -> pendingCommitted.merge(id, mark, StreamReceipts::higher));
    }

    /** Notes the data records of a batch committed in Kafka (gap markers are the spool's, not a stream's). */
    public void committedRecords(List<SpooledRecord> batch) {
        for (SpooledRecord spooled : batch) {
            SpoolRecord record = spooled.record();
            if (record.kind() != RecordKind.DATA) {
                continue;
            }
            pendingCommitted.merge(new StreamId(record.device(), record.stream()),
                    new StreamMark(record.boot(), record.seq()), StreamReceipts::higher);
        }
    }

    private static StreamMark higher(StreamMark a, StreamMark b) {
        return compare(a.boot(), a.seq(), b.boot(), b.seq()) >= 0 ? a : b;
    }

    private static int compare(long bootA, long seqA, long bootB, long seqB) {
        int byBoot = Long.compare(bootA, bootB);
        return byBoot != 0 ? byBoot : Long.compare(seqA, seqB);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("receipts {} not written: {}", file.path(), e.toString());
        }
    }

    /**
     * Writes what was noted since the last flush. Thread {@code receipts-writer} (and tests). First moves to a file
     * another process put in place; replaces the file when one of its segments is locked by a process that died.
     */
    synchronized void flush() {
        try {
            if (file.followReplacement()) {
                LOG.info("receipts {} were replaced by another process; writing this one's marks into the new file",
                        file.path());
                for (StreamId id : writtenStreams()) {
                    write(id);
                }
            }
            if (lockedSegmentSeen.getAndSet(false)) {
                ReceiptsFile.Readout readable = file.read();
                if (readable.lockedSegments() > 0) {
                    replaceFile(readable);
                }
            }
            long now = System.currentTimeMillis();
            drain(pendingIngested, writtenIngested, (id, mark) -> writtenIngested.compute(id, (k, old) ->
                    new WrittenIngested(mark.lane(), old == null ? mark.seq() : old.firstSeq(), mark.boot(),
                            mark.seq(), now)));
            drain(pendingCommitted, writtenCommitted, (id, mark) -> writtenCommitted.put(id,
                    new WrittenCommitted(mark.boot(), mark.seq(), now)));
        } catch (IOException e) {
            LOG.warn("receipts {} could not be replaced or reopened: {}", file.path(), e.toString());
        }
    }

    private <M> void drain(Map<StreamId, M> pending, Map<StreamId, ?> written,
                           java.util.function.BiConsumer<StreamId, M> remember) throws IOException {
        for (StreamId id : List.copyOf(pending.keySet())) {
            M mark = pending.remove(id);
            if (mark == null) {
                continue;
            }
            if (written.size() >= MAX_STREAMS && !written.containsKey(id)) {
                logFull(key(id), "more streams than the receipts hold");
                continue;
            }
            remember.accept(id, mark);
            try {
                write(id);
            } catch (InterProcessDeadLockException lockedByADeadProcess) {
                replaceFile(file.read()); // holds every mark written so far, this one included
            }
        }
    }

    /** Writes this process's side(s) of one stream's receipt, leaving the other process's side as it is. */
    private void write(StreamId id) {
        try {
            file.compute(key(id), (k, stored) -> withWritten(stored, id));
        } catch (IllegalStateException full) {
            logFull(key(id), full.getMessage());
        }
    }

    private byte[] withWritten(byte[] stored, StreamId id) {
        Value v = stored == null ? Value.empty() : Value.decode(stored);
        WrittenIngested ingested = writtenIngested.get(id);
        if (ingested != null) {
            if (v.longs[0] == NONE) {
                v.longs[0] = ingested.firstSeq();
            }
            v.longs[1] = ingested.boot();
            v.longs[2] = ingested.seq();
            v.longs[3] = ingested.atMillis();
            v.lane = ingested.lane();
        }
        WrittenCommitted committed = writtenCommitted.get(id);
        if (committed != null) {
            v.longs[4] = committed.boot();
            v.longs[5] = committed.seq();
            v.longs[6] = committed.atMillis();
        }
        return v.encode();
    }

    private java.util.Set<StreamId> writtenStreams() {
        java.util.Set<StreamId> ids = new java.util.HashSet<>(writtenIngested.keySet());
        ids.addAll(writtenCommitted.keySet());
        return ids;
    }

    /**
     * A process died holding a lock of the file: puts a new file in its place with every receipt still readable and
     * this process's marks, and moves to it (the other processes follow at their next flush).
     *
     * @param readable what the locked file still gives (each locked segment costs a lock timeout to find)
     */
    private void replaceFile(ReceiptsFile.Readout readable) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>(readable.entries());
        for (StreamId id : writtenStreams()) {
            if (entries.size() < MAX_STREAMS || entries.containsKey(key(id))) {
                entries.put(key(id), withWritten(entries.get(key(id)), id));
            }
        }
        file.replace(entries);
        LOG.warn("receipts {}: {} segment(s) locked by a process that died while writing them; replaced the file, "
                + "keeping {} stream(s)' receipts (those of the locked segments come back as their streams are "
                + "next written)", file.path(), readable.lockedSegments(), entries.size());
    }

    private void logFull(String key, String why) {
        if (!fullLogged) {
            fullLogged = true;
            LOG.warn("receipts hold at most {} streams; stream {} and later new ones are not tracked ({})",
                    MAX_STREAMS, key, why);
        }
    }

    private static String key(StreamId id) {
        return id.device() + "/" + id.stream();
    }

    /** Every stream's receipt, by device and stream. */
    public List<Receipt> snapshot() {
        List<Receipt> receipts = new ArrayList<>();
        ReceiptsFile.Readout readout = file.read();
        if (readout.lockedSegments() > 0) {
            LOG.warn("receipts {}: {} segment(s) locked by a process that died while writing them; their streams "
                    + "are left out until a writer replaces the file", file.path(), readout.lockedSegments());
            lockedSegmentSeen.set(true);
        }
        readout.entries().forEach((key, value) -> {
            Value v = Value.decode(value);
            int slash = key.lastIndexOf('/');
            receipts.add(new Receipt(key.substring(0, slash), key.substring(slash + 1), v.lane, v.longs[0],
                    v.longs[1], v.longs[2], v.longs[3], v.longs[4], v.longs[5], v.longs[6]));
        });
        receipts.sort(Comparator.comparing(Receipt::device).thenComparing(Receipt::stream));
        return receipts;
    }

    /**
     * The stored value: first seq, ingested boot, seq and time, committed boot, seq and time (little-endian longs,
     * -1 or 0 for none), then the lane name (ASCII, zero-padded).
     */
    private static final class Value {
        final long[] longs;
        String lane;

        private Value(long[] longs, String lane) {
            this.longs = longs;
            this.lane = lane;
        }

        static Value empty() {
            return new Value(new long[] {NONE, NONE, NONE, 0, NONE, NONE, 0}, "");
        }

        static Value decode(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long[] longs = new long[LONGS];
            for (int i = 0; i < LONGS; i++) {
                longs[i] = buffer.getLong();
            }
            byte[] lane = new byte[LANE_BYTES];
            buffer.get(lane);
            int end = 0;
            while (end < lane.length && lane[end] != 0) {
                end++;
            }
            return new Value(longs, new String(lane, 0, end, java.nio.charset.StandardCharsets.US_ASCII));
        }

        byte[] encode() {
            ByteBuffer buffer = ByteBuffer.allocate(VALUE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (long value : longs) {
                buffer.putLong(value);
            }
            byte[] name = lane.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            buffer.put(name, 0, Math.min(name.length, LANE_BYTES));
            return buffer.array();
        }
    }

    /**
     * Writes what is pending and unmaps the file. Bounded: the last write runs on {@code receipts-writer}; if it has
     * not finished within {@link #CLOSE_TIMEOUT_SECONDS}, the file is left mapped (the process is about to exit) and
     * the marks unwritten.
     */
    @Override
    public void close() {
        if (writer != null) {
            writer.execute(this::flushQuietly);
            writer.shutdown();
            try {
                if (!writer.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("receipts {}: the last write did not finish within {} s; left unwritten", file.path(),
                            CLOSE_TIMEOUT_SECONDS);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        file.close();
    }
}
