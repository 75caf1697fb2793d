package dev.edgeline.broker.receipts;

import dev.edgeline.broker.receipts.ReceiptsFile.Mark;
import dev.edgeline.broker.receipts.ReceiptsFile.Side;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.Spool.DurableMark;
import dev.edgeline.broker.spool.Spool.StreamId;
import dev.edgeline.broker.spool.Spool.StreamMark;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-stream delivery receipts: for every stream, the last (boot, seq) the spool made durable (ingested) and the last
 * one committed in Kafka, each with its time. A report, not state: nothing is decided from it.
 *
 * <p>Each half has its own file in the spool directory, written by the one process that knows it: the broker writes
 * {@code receipts.ingested} (the spool's durable marks), the bridge {@code receipts.committed} (in the broker's process
 * or its own), and readers ({@code bin/edge status --streams}, {@code /metrics}) put the two together. One writer per
 * file needs no lock shared between processes, so no process that dies, whenever it dies, can leave anything that
 * stops another. A writer keeps its half in memory, seeded from its file at open, and replaces the file (temporary
 * file and rename, {@link ReceiptsFile}) on the thread {@code receipts-writer} when something changed, at most every
 * {@link #FLUSH_INTERVAL_MILLIS} and no faster than {@link #WRITE_BYTES_PER_SECOND} on average, never fsynced.
 *
 * <p>After a power cut a file may be an older version, empty or torn: a file that cannot be read is logged with what
 * is lost (the report of that half, never data) and the half starts afresh; its streams come back as they are next
 * ingested or committed. Before the first commit a stream's lag counts from the first seq the receipts saw. Holds at
 * most {@link #MAX_STREAMS} streams; past that, new streams are left out (logged once) and the data path is
 * unaffected.
 */
public final class StreamReceipts implements AutoCloseable {
    /** The files, in the spool directory. */
    public static final List<String> FILES = List.of(Side.INGESTED.fileName, Side.COMMITTED.fileName);
    public static final int MAX_STREAMS = 16_384;
    static final long FLUSH_INTERVAL_MILLIS = 1_000;
    static final long WRITE_BYTES_PER_SECOND = 256 * 1024;
    static final int CLOSE_TIMEOUT_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(StreamReceipts.class);

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

    private final Path directory;
    private final Map<Side, Half> halves = new EnumMap<>(Side.class);
    private final ScheduledExecutorService writer;
    private volatile boolean fullLogged;

    /** The half of the receipts this process writes: its marks, and whether they changed since the last write. */
    private final class Half {
        final Side side;
        final Map<StreamId, Mark> marks = new ConcurrentHashMap<>();
        volatile boolean changed;
        long notBeforeNanos;

        Half(Side side) {
            this.side = side;
            marks.putAll(readQuietly(file(side), side));
        }

        void note(StreamId id, String lane, long boot, long seq) {
            if (!marks.containsKey(id) && (marks.size() >= MAX_STREAMS || !ReceiptsFile.fits(id))) {
                logFull(id);
                return;
            }
            long now = System.currentTimeMillis();
            marks.compute(id, (k, old) -> {
                if (old != null && compare(old.boot(), old.seq(), boot, seq) >= 0) {
                    return old;
                }
                long firstSeq = side == Side.COMMITTED ? -1 : old == null ? seq : old.firstSeq();
                return new Mark(lane, firstSeq, boot, seq, now);
            });
            changed = true;
        }

        void write(boolean evenIfEarly) {
            if (!changed || (!evenIfEarly && System.nanoTime() < notBeforeNanos)) {
                return;
            }
            changed = false;
            try {
                int bytes = ReceiptsFile.write(file(side), side, new LinkedHashMap<>(marks));
                long pause = Math.max(FLUSH_INTERVAL_MILLIS, bytes * 1000L / WRITE_BYTES_PER_SECOND);
                notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
            } catch (IOException | RuntimeException e) {
                changed = true;
                LOG.warn("receipts {} not written: {}", file(side), e.toString());
            }
        }
    }

    private StreamReceipts(Path directory, boolean withWriter) {
        this.directory = directory;
        if (withWriter) {
            writer = Executors.newSingleThreadScheduledExecutor(
                    runnable -> Thread.ofPlatform().name("receipts-writer").daemon().unstarted(runnable));
            writer.scheduleWithFixedDelay(() -> flush(false), FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS / 4,
                    TimeUnit.MILLISECONDS);
        } else {
            writer = null;
        }
    }

    /**
     * Opens the receipts of the spool in {@code spoolDirectory} for writing. A process writes only the halves it notes
     * ({@link #ingested}, {@link #committed}), starting from what its file held.
     */
    public static StreamReceipts open(Path spoolDirectory) {
        return new StreamReceipts(spoolDirectory, true);
    }

    /** Opens existing receipts to read them ({@code bin/edge status --streams}); fails if there are none yet. */
    public static StreamReceipts openToRead(Path spoolDirectory) throws IOException {
        if (FILES.stream().noneMatch(name -> Files.exists(spoolDirectory.resolve(name)))) {
            throw new java.nio.file.NoSuchFileException(spoolDirectory.resolve(Side.INGESTED.fileName)
                    + " (no receipts yet: has edge-broker run?)");
        }
        return new StreamReceipts(spoolDirectory, false);
    }

    /** Notes the durable marks of a spool batch. Cheap, any thread (the spool's writer). */
    public void ingested(Map<StreamId, DurableMark> marks) {
        Half half = half(Side.INGESTED);
        marks.forEach((id, mark) -> half.note(id, mark.lane(), mark.boot(), mark.seq()));
    }

    /** Notes the marks of a batch committed in Kafka. Cheap, any thread (the bridge's). */
    public void committed(Map<StreamId, StreamMark> marks) {
        Half half = half(Side.COMMITTED);
        marks.forEach((id, mark) -> half.note(id, "", mark.boot(), mark.seq()));
    }

    /** Notes the data records of a batch committed in Kafka (gap markers are the spool's, not a stream's). */
    public void committedRecords(List<SpooledRecord> batch) {
        Map<StreamId, StreamMark> highest = new LinkedHashMap<>();
        for (SpooledRecord spooled : batch) {
            SpoolRecord record = spooled.record();
            if (record.kind() == RecordKind.DATA) {
                highest.merge(new StreamId(record.device(), record.stream()),
                        new StreamMark(record.boot(), record.seq()),
                        (a, b) -> compare(a.boot(), a.seq(), b.boot(), b.seq()) >= 0 ? a : b);
            }
        }
        committed(highest);
    }

    private synchronized Half half(Side side) {
        return halves.computeIfAbsent(side, Half::new);
    }

    private static int compare(long bootA, long seqA, long bootB, long seqB) {
        int byBoot = Long.compare(bootA, bootB);
        return byBoot != 0 ? byBoot : Long.compare(seqA, seqB);
    }

    /** Writes the halves that changed; {@code evenIfEarly}: without waiting for the pause after the last write. */
    void flush(boolean evenIfEarly) {
        List<Half> mine;
        synchronized (this) {
            mine = List.copyOf(halves.values());
        }
        for (Half half : mine) {
            half.write(evenIfEarly);
        }
    }

    /** Writes what changed now (tests). */
    void flush() {
        flush(true);
    }

    private Path file(Side side) {
        return directory.resolve(side.fileName);
    }

    private static Map<StreamId, Mark> readQuietly(Path file, Side side) {
        try {
            return ReceiptsFile.read(file, side);
        } catch (ReceiptsFile.DamagedReceiptsException damaged) {
            LOG.warn("{}; the report of which records were {} is lost (no data: the spool and Kafka hold that) and "
                    + "starts afresh as streams are next {}", damaged.getMessage(), side.name().toLowerCase(),
                    side.name().toLowerCase());
            return Map.of();
        } catch (IOException e) {
            LOG.warn("receipts {} could not be read: {}", file, e.toString());
            return Map.of();
        }
    }

    private void logFull(StreamId id) {
        if (!fullLogged) {
            fullLogged = true;
            LOG.warn("receipts hold at most {} streams (names of at most 65,535 bytes); stream {}/{} and later new "
                    + "ones are not tracked", MAX_STREAMS, id.device(), id.stream());
        }
    }

    /** Every stream's receipt, by device and stream, from the files as they are now. */
    public List<Receipt> snapshot() {
        Map<StreamId, Mark> ingested = readQuietly(file(Side.INGESTED), Side.INGESTED);
        Map<StreamId, Mark> committed = readQuietly(file(Side.COMMITTED), Side.COMMITTED);
        Set<StreamId> ids = new LinkedHashSet<>(ingested.keySet());
        ids.addAll(committed.keySet());
        List<Receipt> receipts = new ArrayList<>();
        for (StreamId id : ids) {
            Mark in = ingested.get(id);
            Mark out = committed.get(id);
            receipts.add(new Receipt(id.device(), id.stream(), in == null ? "" : in.lane(),
                    in == null ? -1 : in.firstSeq(), in == null ? -1 : in.boot(), in == null ? -1 : in.seq(),
                    in == null ? 0 : in.atMillis(), out == null ? -1 : out.boot(), out == null ? -1 : out.seq(),
                    out == null ? 0 : out.atMillis()));
        }
        receipts.sort(Comparator.comparing(Receipt::device).thenComparing(Receipt::stream));
        return receipts;
    }

    /**
     * Writes what changed. Bounded: the last write runs on {@code receipts-writer}; if it has not finished within
     * {@link #CLOSE_TIMEOUT_SECONDS}, it is left unwritten (the process is about to exit).
     */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        writer.execute(() -> flush(true));
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("receipts in {}: the last write did not finish within {} s; left unwritten", directory,
                        CLOSE_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
