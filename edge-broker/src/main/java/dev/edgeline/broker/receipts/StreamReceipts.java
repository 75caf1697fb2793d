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
import net.openhft.chronicle.map.ChronicleMap;
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
 */
public final class StreamReceipts implements AutoCloseable {
    public static final String FILE = "receipts.cmap";
    public static final int MAX_STREAMS = 16_384;
    static final long FLUSH_INTERVAL_MILLIS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(StreamReceipts.class);
    private static final int LONGS = 7;
    private static final int LANE_BYTES = 32; // lane names are at most 32 ASCII characters
    private static final int VALUE_BYTES = LONGS * Long.BYTES + LANE_BYTES;
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

    private final ChronicleMap<String, byte[]> map;
    private final Map<StreamId, DurableMark> pendingIngested = new ConcurrentHashMap<>();
    private final Map<StreamId, StreamMark> pendingCommitted = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer;
    private volatile boolean fullLogged;

    private StreamReceipts(ChronicleMap<String, byte[]> map, boolean withWriter) {
        this.map = map;
        if (withWriter) {
            writer = Executors.newSingleThreadScheduledExecutor(
                    runnable -> Thread.ofPlatform().name("receipts-writer").daemon().unstarted(runnable));
            writer.scheduleWithFixedDelay(this::flush, FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else {
            writer = null;
        }
    }

    /** Opens (or creates) the receipts of the spool in {@code spoolDirectory}, for writing. */
    public static StreamReceipts open(Path spoolDirectory) throws IOException {
        return new StreamReceipts(openMap(spoolDirectory.resolve(FILE)), true);
    }

    /** Opens existing receipts to read them ({@code bin/edge status --streams}); fails if there are none yet. */
    public static StreamReceipts openToRead(Path spoolDirectory) throws IOException {
        Path file = spoolDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file + " (no receipts yet: has edge-broker run?)");
        }
        return new StreamReceipts(openMap(file), false);
    }

    /**
     * Opens the map, creating it under a temporary name and renaming it into place when there is none, so that the
     * file under its own name is always complete (Chronicle waits a minute for a half-created file to become ready).
     */
    private static ChronicleMap<String, byte[]> openMap(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path temp = file.resolveSibling(file.getFileName() + ".new-" + ProcessHandle.current().pid());
            create(temp).close();
            try {
                Files.createLink(file, temp); // atomic, and never replaces a file another process just created
            } catch (java.nio.file.FileAlreadyExistsException anotherProcessWasFirst) {
                // theirs is complete too: use it
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        try {
            return create(file);
        } catch (RuntimeException unreadable) {
            LOG.warn("receipts {} could not be opened ({}); starting them afresh", file, unreadable.toString());
            Files.deleteIfExists(file);
            return create(file);
        }
    }

    private static ChronicleMap<String, byte[]> create(Path file) throws IOException {
        return ChronicleMap.of(String.class, byte[].class)
                .name("edge-stream-receipts")
                .entries(MAX_STREAMS)
                .averageKeySize(40)
                .constantValueSizeBySample(new byte[VALUE_BYTES])
                .createPersistedTo(file.toFile());
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

    /** Writes what was noted since the last flush. Thread {@code receipts-writer} (and close). */
    void flush() {
        long now = System.currentTimeMillis();
        drain(pendingIngested, (id, mark) -> update(id, mark.lane(), mark.boot(), mark.seq(), now, true));
        drain(pendingCommitted, (id, mark) -> update(id, null, mark.boot(), mark.seq(), now, false));
    }

    private static <M> void drain(Map<StreamId, M> pending, java.util.function.BiConsumer<StreamId, M> sink) {
        for (StreamId id : List.copyOf(pending.keySet())) {
            M mark = pending.remove(id);
            if (mark != null) {
                sink.accept(id, mark);
            }
        }
    }

    private void update(StreamId id, String lane, long boot, long seq, long now, boolean ingested) {
        String key = id.device() + "/" + id.stream();
        try {
            map.compute(key, (k, old) -> {
                Value v = old == null ? Value.empty() : Value.decode(old);
                if (ingested) {
                    if (v.longs[0] == NONE) {
                        v.longs[0] = seq;
                    }
                    v.longs[1] = boot;
                    v.longs[2] = seq;
                    v.longs[3] = now;
                    v.lane = lane;
                } else {
                    v.longs[4] = boot;
                    v.longs[5] = seq;
                    v.longs[6] = now;
                }
                return v.encode();
            });
        } catch (IllegalStateException full) {
            if (!fullLogged) {
                fullLogged = true;
                LOG.warn("receipts hold at most {} streams; stream {} and later new ones are not tracked ({})",
                        MAX_STREAMS, key, full.getMessage());
            }
        }
    }

    /** Every stream's receipt, by device and stream. */
    public List<Receipt> snapshot() {
        List<Receipt> receipts = new ArrayList<>();
        map.forEach((key, value) -> {
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

    /** Writes what is pending and unmaps the file. */
    @Override
    public void close() {
        if (writer != null) {
            writer.shutdown();
            try {
                writer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            flush();
        }
        map.close();
    }
}
