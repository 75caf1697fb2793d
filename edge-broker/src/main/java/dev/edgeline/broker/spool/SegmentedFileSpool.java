package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.DurablePositionsFile;
import dev.edgeline.broker.spool.internal.IndexCache;
import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.broker.spool.internal.OriginLog;
import dev.edgeline.broker.spool.internal.RecentContent;
import dev.edgeline.broker.spool.internal.RecordCodec;
import dev.edgeline.broker.spool.internal.RetiredMarksFile;
import dev.edgeline.broker.spool.internal.SpoolMeta;
import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import dev.edgeline.config.BootCounter;
import dev.edgeline.config.DurableDirectories;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Spool} kept as segmented append-only logs, one per priority lane, in one directory.
 *
 * <h2>Files</h2>
 * <pre>
 *  spool/
 *    spool.lock                        flock held by the one process that writes this spool
 *    spool.meta                        device id and lanes in priority order (for readers in other processes)
 *    spool.boot                        the spool's boot counter
 *    spool.durable                     mmap: durable end position per lane (for readers in other processes)
 *    dedup.index                       cache of the dedup marks and the lane positions they cover
 *    marks.retired                     marks of streams whose records were deleted or dropped (see RetiredMarksFile)
 *    origins.log                       client and packet id of publishes with assigned identities (see OriginLog)
 *    lanes/&lt;lane&gt;/00000000000000000000.seg   segments, named by the lane position of their first byte
 *    readers/&lt;name&gt;.cursor              each reader's committed position per lane (atomic replace)
 * </pre>
 * Frames are described in {@link RecordCodec}. Segments hold records only (those of earlier versions start with a
 * marks checkpoint frame, still read); what it costs to write a record does not depend on how many streams exist.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Durable before ack</b>: one writer thread ({@code spool-writer}) takes every queued append, writes the
 *       batch to the lanes it touches and fsyncs each of them once (group commit); only then do the futures
 *       complete.</li>
 *   <li><b>Recovery</b>: on open a torn or partial tail (bad length or CRC, with no valid frame after it) is
 *       truncated; damage followed by valid frames is kept and read back as a gap marker. Nothing whose future
 *       completed is lost.</li>
 *   <li><b>No duplicates</b>: a data record whose (boot, seq) is at or below its stream's high-water mark completes
 *       as {@link AppendOutcome#DUPLICATE} without being stored, unless a recently stored record of that identity
 *       has other content ({@link RecentContent}): that is refused ({@link IdentityCollisionException}). The marks are rebuilt on open from {@code marks.retired}
 *       and the records in the segments; {@code dedup.index} only saves scanning.</li>
 *   <li><b>In order, or refused</b>: once a stream's record is refused, its later records are refused too until the
 *       refused one is sent again, so a retransmission can never be mistaken for a duplicate of a later record.</li>
 *   <li><b>Bounded disk</b>: each lane and the whole spool have a byte budget. A full {@code block} lane holds
 *       appends (and so the publishers' acks) until there is room, refusing them after the block timeout; a full
 *       {@code drop-oldest} lane (or, when the whole spool is full, the lowest such lane) discards its oldest segment
 *       and appends a gap marker stating the streams and sequence ranges lost.</li>
 *   <li><b>I/O errors</b> (disk full included): the batch is rolled back and refused; the spool stays consistent
 *       and accepts appends again as soon as writes succeed.</li>
 * </ul>
 *
 * <p>The parts: this class opens the spool (its lock, recovery of the lanes and marks) and is the {@link Spool}
 * facade; {@link SpoolWriter} is the writer thread and its batches; {@link Admission} decides each record against the
 * marks; {@link LaneSpace} keeps the byte budgets; {@link SegmentRetention} deletes what every reader consumed;
 * {@link LaneLog} is one lane's segments and their rotation.
 */
public final class SegmentedFileSpool implements Spool {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedFileSpool.class);
    static final int QUEUE_CAPACITY = SpoolWriter.QUEUE_CAPACITY;

    private final SpoolConfig config;
    private final Path directory;
    private final List<LaneLog> lanes = new ArrayList<>();
    private final List<SpoolConfig.Lane> laneConfigs = new ArrayList<>();
    private final Map<String, Integer> laneIndex = new HashMap<>();
    private final Admission admission;
    private final RetiredMarksFile retiredMarks;
    private final OriginLog origins;
    private final List<Origin> originsAtOpen;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DurablePositionsFile durableFile;
    private final long boot;
    private final SpoolWriter writer;
    private final Thread writerThread;
    private final String logPrefix;

    private SegmentedFileSpool(SpoolConfig config, String deviceId, InstantSource clock, FileChannel lockChannel,
                               FileLock lock) throws IOException {
        this.config = config;
        this.directory = config.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.logPrefix = "[Spool " + directory + "] ";
        this.admission = new Admission(config.streamLimits());
        DurableDirectories.create(directory.resolve("readers"));
        DurableDirectories.create(directory.resolve("lanes"));
        this.boot = BootCounter.increment(directory.resolve("spool.boot"));
        laneConfigs.addAll(config.lanes());
        addLeftoverLanes();
        for (int i = 0; i < laneConfigs.size(); i++) {
            laneIndex.put(laneConfigs.get(i).name(), i);
        }
        Map<String, Long> scanFrom = readIndexCache();
        this.retiredMarks = RetiredMarksFile.open(directory, admission.marks());
        this.origins = OriginLog.open(directory);
        this.originsAtOpen = List.copyOf(origins.stored());
        recoverLanes(scanFrom);
        String spoolId = Files.exists(directory.resolve(SpoolMeta.FILE)) ? SpoolMeta.read(directory).id()
                : java.util.UUID.randomUUID().toString();
        new SpoolMeta(spoolId, deviceId, laneConfigs.stream().map(SpoolConfig.Lane::name).toList()).write(directory);
        this.durableFile = DurablePositionsFile.forWriter(directory.resolve("spool.durable"), lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            durableFile.set(i, lanes.get(i).durablePosition());
        }
        SegmentRetention retention = new SegmentRetention(directory, lanes, retiredMarks, admission.marks(),
                logPrefix);
        LaneSpace space = new LaneSpace(lanes, laneConfigs, config.budgetBytes(), retention, deviceId, clock,
                logPrefix);
        this.writer = new SpoolWriter(config, directory, lanes, admission, space, retention, origins, durableFile,
                clock, logPrefix);
        this.writerThread = Thread.ofPlatform().name("spool-writer").unstarted(writer::run);
    }

    /**
     * Opens (creating if needed) and recovers the spool in {@code config.directory()} and starts its writer.
     * {@code deviceId} names the device in gap markers.
     */
    public static SegmentedFileSpool open(SpoolConfig config, String deviceId, InstantSource clock) throws IOException {
        Path directory = config.directory();
        DurableDirectories.create(directory);
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
            SegmentedFileSpool spool = new SegmentedFileSpool(config, deviceId, clock, lockChannel, lock);
            spool.writerThread.start();
            return spool;
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Lanes on disk that the configuration no longer names still drain, at the lowest priority. */
    private void addLeftoverLanes() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory.resolve("lanes"))) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && laneConfigs.stream().noneMatch(l -> l.name().equals(name))) {
                    LOG.warn("{}lane '{}' is on disk but not configured: it drains at the lowest priority, "
                            + "accepts nothing new and blocks", logPrefix, name);
                    laneConfigs.add(new SpoolConfig.Lane(name, Long.MAX_VALUE, SpoolConfig.FullPolicy.BLOCK));
                }
            }
        }
    }

    /** The marks of the dedup index cache, and per lane the position they cover (what need not be scanned). */
    private Map<String, Long> readIndexCache() {
        try {
            Optional<IndexCache.Entry> index = IndexCache.read(directory.resolve(SpoolWriter.INDEX));
            if (index.isPresent()) {
                admission.marks().merge(index.get().marks());
                return index.get().positions();
            }
        } catch (IOException e) {
            LOG.warn("{}dedup index unusable, rebuilding it from the segments: {}", logPrefix, e.getMessage());
        }
        return Map.of();
    }

    /** Opens every lane: a torn tail truncated, the marks raised from what the index cache did not cover. */
    private void recoverLanes(Map<String, Long> scanFrom) throws IOException {
        StreamMarks marks = admission.marks();
        RecentContent recent = admission.recent();
        for (SpoolConfig.Lane lane : laneConfigs) {
            Path dir = directory.resolve("lanes").resolve(lane.name());
            LaneLog log = LaneLog.open(lane.name(), dir, config.segmentBytes(), marks,
                    scanFrom.getOrDefault(lane.name(), 0L), recent::stored);
            if (scanFrom.getOrDefault(lane.name(), 0L) > log.durablePosition()) {
                // The index claims more than the lane holds: it is from another spool; rebuild from scratch.
                LOG.warn("{}dedup index is ahead of lane {}; rescanning it", logPrefix, lane.name());
                log.close();
                log = LaneLog.open(lane.name(), dir, config.segmentBytes(), marks, 0, recent::stored);
            }
            lanes.add(log);
        }
        LOG.info("{}opened: boot {}, lanes {}, {} stream mark(s)", logPrefix, boot,
                lanes.stream().map(l -> l.name() + "@" + l.durablePosition()).toList(), marks.size());
    }

    @Override
    public Optional<Long> highestBootOf(String device) {
        return admission.marks().highestBootOf(device);
    }

    @Override
    public Optional<StreamMark> markOf(String device, String stream) {
        return admission.marks().get(new StreamKey(device, stream)).map(m -> new StreamMark(m.boot(), m.seq()));
    }

    @Override
    public CompletableFuture<AppendOutcome> append(String lane, SpoolRecord record) {
        return append(lane, record, null);
    }

    @Override
    public List<Origin> storedOrigins() {
        return originsAtOpen;
    }

    @Override
    public CompletableFuture<AppendOutcome> append(String lane, SpoolRecord record, Origin origin) {
        CompletableFuture<AppendOutcome> future = new CompletableFuture<>();
        Integer index = laneIndex.get(lane);
        if (index == null) {
            future.completeExceptionally(new SpoolException("no spool lane named '" + lane + "'"));
        } else if (!writer.offer(new PendingAppend(index, record, future, System.nanoTime(), origin))) {
            future.completeExceptionally(writer.isClosed() ? new SpoolException("spool is closed")
                    : new SpoolFullException("spool append queue is full (" + QUEUE_CAPACITY
                            + " records waiting for the disk)"));
        }
        return future;
    }

    @Override
    public Optional<SpoolException> precheck(SpoolRecord record) {
        return admission.precheck(record);
    }

    long durablePosition(int lane) {
        return lanes.get(lane).durablePosition();
    }

    /**
     * Called on the writer thread after each batch is durable, with the new mark of every stream the batch stored
     * records of, and its lane (for the per-stream receipts). Must be quick and must not throw; one listener (the
     * last set).
     */
    public interface DurableListener {
        void durable(Map<StreamId, DurableMark> stored);
    }

    public void onDurable(DurableListener listener) {
        writer.onDurable(java.util.Objects.requireNonNull(listener));
    }

    @Override
    public SpoolReader openReader(String name) throws IOException {
        return FileSpoolReader.open(directory, name, new FileSpoolReader.Durability() {
            @Override
            public long durable(int lane) {
                return durablePosition(lane);
            }

            @Override
            public boolean await(java.util.function.BooleanSupplier condition, Duration timeout)
                    throws InterruptedException {
                return writer.awaitDurable(condition, timeout);
            }

            @Override
            public void committed() {
                writer.readerCommitted();
            }
        });
    }

    @Override
    public List<String> lanes() {
        return laneConfigs.stream().map(SpoolConfig.Lane::name).toList();
    }

    @Override
    public long boot() {
        return boot;
    }

    @Override
    public SpoolCounters counters() {
        return writer.counters();
    }

    @Override
    public void close() {
        if (!writer.stop()) {
            return;
        }
        try {
            writerThread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writerThread.isAlive()) {
            LOG.error("{}writer did not finish within 30 s; closing files anyway", logPrefix);
        }
        writer.refuseLeftovers();
        if (!writerThread.isAlive()) {
            writer.writeIndex();
        }
        try {
            for (LaneLog lane : lanes) {
                lane.close();
            }
            retiredMarks.close();
            origins.close();
            durableFile.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("{}error closing files: {}", logPrefix, e.toString());
        }
        SpoolCounters last = writer.counters();
        LOG.info("{}closed: {}; since open: {} appended, {} duplicates, {} refused, {} fsyncs ({} records per fsync)",
                logPrefix, lanes.stream().map(l -> l.name() + "@" + l.durablePosition()).toList(), last.appended(),
                last.duplicates(), last.refused(), last.fsyncs(),
                last.fsyncs() == 0 ? 0 : String.format(java.util.Locale.ROOT, "%.1f", (double) last.appended() / last.fsyncs()));
    }
}
