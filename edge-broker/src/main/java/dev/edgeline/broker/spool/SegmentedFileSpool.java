package dev.edgeline.broker.spool;

import dev.edgeline.config.DurableDirectories;
import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.DurablePositionsFile;
import dev.edgeline.broker.spool.internal.GapMarkers;
import dev.edgeline.broker.spool.internal.IndexCache;
import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.broker.spool.internal.RecordCodec;
import dev.edgeline.broker.spool.internal.SpoolMeta;
import dev.edgeline.broker.spool.internal.OriginLog;
import dev.edgeline.broker.spool.internal.RecentContent;
import dev.edgeline.broker.spool.internal.RetiredMarksFile;
import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.Mark;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import dev.edgeline.config.BootCounter;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 */
public final class SegmentedFileSpool implements Spool {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedFileSpool.class);
    static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 8_192;
    private static final String INDEX = "dedup.index";
    private static final Duration INDEX_INTERVAL = Duration.ofSeconds(30);
    private static final Duration CURSOR_SCAN_INTERVAL = Duration.ofSeconds(1);

    private final SpoolConfig config;
    private final String deviceId;
    private final InstantSource clock;
    private final Path directory;
    private final List<LaneLog> lanes = new ArrayList<>();
    private final List<SpoolConfig.Lane> laneConfigs = new ArrayList<>();
    private final Map<String, Integer> laneIndex = new HashMap<>();
    private final StreamMarks marks = new StreamMarks();
    private RetiredMarksFile retiredMarks;
    private OriginLog origins;
    private List<Origin> originsAtOpen = List.of();
    private final RecentContent recent = new RecentContent();
    private final Map<StreamKey, Mark> refusedFloors = new HashMap<>();
    private final List<ArrayDeque<PendingAppend>> blocked = new ArrayList<>();
    private final List<SpoolRecord> pendingGapMarkers = new ArrayList<>();
    private final List<Integer> pendingGapLanes = new ArrayList<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DurablePositionsFile durableFile;
    private final long boot;
    private final BlockingQueue<PendingAppend> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean readerCommitted = new AtomicBoolean();
    private final ReentrantLock durableLock = new ReentrantLock();
    private final Condition durableAdvanced = durableLock.newCondition();
    private final Thread writer;
    private final String logPrefix;

    // Counters: written by the writer thread only.
    private long appended;
    private long duplicates;
    private long refused;
    private long fsyncs;
    private long fsyncNanos;
    private long fsyncMaxNanos;
    private volatile DurableListener durableListener = marks -> { };
    private final long[] droppedRecords;
    private final long[] gapMarkers;
    private volatile SpoolCounters counters;
    private boolean indexDirty;
    private long lastIndexWrite = System.nanoTime();
    private long lastCursorScan = System.nanoTime();

    private record PendingAppend(int lane, SpoolRecord record, CompletableFuture<AppendOutcome> future,
                                 long enqueuedNanos, Origin origin) {}

    private SegmentedFileSpool(SpoolConfig config, String deviceId, InstantSource clock, FileChannel lockChannel,
                               FileLock lock) throws IOException {
        this.config = config;
        this.deviceId = deviceId;
        this.clock = clock;
        this.directory = config.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.logPrefix = "[Spool " + directory + "] ";
        DurableDirectories.create(directory.resolve("readers"));
        DurableDirectories.create(directory.resolve("lanes"));
        this.boot = BootCounter.increment(directory.resolve("spool.boot"));
        laneConfigs.addAll(config.lanes());
        addLeftoverLanes();
        for (int i = 0; i < laneConfigs.size(); i++) {
            laneIndex.put(laneConfigs.get(i).name(), i);
            blocked.add(new ArrayDeque<>());
        }
        this.droppedRecords = new long[laneConfigs.size()];
        this.gapMarkers = new long[laneConfigs.size()];
        recover();
        String spoolId = java.nio.file.Files.exists(directory.resolve(SpoolMeta.FILE)) ? SpoolMeta.read(directory).id()
                : java.util.UUID.randomUUID().toString();
        new SpoolMeta(spoolId, deviceId, laneConfigs.stream().map(SpoolConfig.Lane::name).toList()).write(directory);
        this.durableFile = DurablePositionsFile.forWriter(directory.resolve("spool.durable"), lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            durableFile.set(i, lanes.get(i).durablePosition());
        }
        writeIndex();
        publishCounters();
        this.writer = Thread.ofPlatform().name("spool-writer").unstarted(this::writeLoop);
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
            spool.writer.start();
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

    private void recover() throws IOException {
        Map<String, Long> scanFrom = Map.of();
        try {
            Optional<IndexCache.Entry> index = IndexCache.read(directory.resolve(INDEX));
            if (index.isPresent()) {
                marks.merge(index.get().marks());
                scanFrom = index.get().positions();
            }
        } catch (IOException e) {
            LOG.warn("{}dedup index unusable, rebuilding it from the segments: {}", logPrefix, e.getMessage());
        }
        retiredMarks = RetiredMarksFile.open(directory, marks);
        origins = OriginLog.open(directory);
        originsAtOpen = List.copyOf(origins.stored());
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
        return marks.highestBootOf(device);
    }

    @Override
    public Optional<StreamMark> markOf(String device, String stream) {
        return marks.get(new StreamKey(device, stream)).map(m -> new StreamMark(m.boot(), m.seq()));
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
        } else if (closed.get()) {
            future.completeExceptionally(new SpoolException("spool is closed"));
        } else if (!queue.offer(new PendingAppend(index, record, future, System.nanoTime(), origin))) {
            future.completeExceptionally(new SpoolFullException(
                    "spool append queue is full (" + QUEUE_CAPACITY + " records waiting for the disk)"));
        }
        return future;
    }

    private void writeLoop() {
        List<PendingAppend> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                boolean anyBlocked = blocked.stream().anyMatch(q -> !q.isEmpty());
                PendingAppend first = queue.poll(anyBlocked ? 5 : 100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                }
                if (closed.get() && first == null && queue.isEmpty()) {
                    refuseBlocked("spool is closed");
                    return;
                }
                housekeeping();
                commit(batch);
                batch.clear();
                publishCounters();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.future().completeExceptionally(new SpoolException("spool writer interrupted")));
                refuseBlocked("spool writer interrupted");
                return;
            } catch (RuntimeException e) {
                LOG.error("{}unexpected writer failure; the batch is refused and the writer goes on", logPrefix, e);
                batch.forEach(p -> p.future().completeExceptionally(new SpoolException("spool writer failed: " + e, e)));
                batch.clear();
            }
        }
    }

    /** Deletes consumed segments and refreshes the index cache when due. Writer thread. */
    private void housekeeping() {
        long now = System.nanoTime();
        if (readerCommitted.getAndSet(false) || now - lastCursorScan > CURSOR_SCAN_INTERVAL.toNanos()) {
            lastCursorScan = now;
            deleteConsumedSegments();
        }
        if (indexDirty && now - lastIndexWrite > INDEX_INTERVAL.toNanos()) {
            writeIndex();
        }
    }

    /** Appends one batch (blocked appends first, lane by lane), fsyncs each touched lane once, completes futures. */
    private void commit(List<PendingAppend> incoming) {
        List<PendingAppend> accepted = new ArrayList<>();
        List<AppendOutcome> outcomes = new ArrayList<>();
        List<StreamKey> raisedKeys = new ArrayList<>();
        List<Mark> previousMarks = new ArrayList<>();
        List<PendingAppend> refusedNow = new ArrayList<>();
        List<SpoolException> refusedWhy = new ArrayList<>();
        List<SpoolRecord> gapsThisBatch = new ArrayList<>();
        List<Integer> gapLanesThisBatch = new ArrayList<>();
        long nowNanos = System.nanoTime();
        boolean failed = false;
        int processedIncoming = 0;
        noteOrigins(incoming, false);
        try {
            // Gap markers that a failed batch could not write go first.
            for (int i = 0; i < pendingGapMarkers.size(); i++) {
                lanes.get(pendingGapLanes.get(i)).add(pendingGapMarkers.get(i));
                gapsThisBatch.add(pendingGapMarkers.get(i));
                gapLanesThisBatch.add(pendingGapLanes.get(i));
            }
            pendingGapMarkers.clear();
            pendingGapLanes.clear();
            for (int lane = 0; lane < lanes.size(); lane++) {
                ArrayDeque<PendingAppend> waiting = blocked.get(lane);
                while (!waiting.isEmpty()) {
                    PendingAppend head = waiting.peekFirst();
                    if (nowNanos - head.enqueuedNanos() > config.blockTimeout().toNanos()) {
                        waiting.pollFirst();
                        refusedNow.add(head);
                        refusedWhy.add(new SpoolFullException(fullMessage(lane) + "; refused after waiting "
                                + config.blockTimeout().toSeconds() + " s"));
                        continue;
                    }
                    if (!tryAppend(head, accepted, outcomes, raisedKeys, previousMarks, refusedNow, refusedWhy,
                            gapsThisBatch, gapLanesThisBatch)) {
                        break;
                    }
                    waiting.pollFirst();
                }
            }
            for (PendingAppend pending : incoming) {
                if (!blocked.get(pending.lane()).isEmpty()) {
                    blocked.get(pending.lane()).addLast(pending); // keep the lane's order behind what waits
                    continue;
                }
                if (!tryAppend(pending, accepted, outcomes, raisedKeys, previousMarks, refusedNow, refusedWhy,
                        gapsThisBatch, gapLanesThisBatch)) {
                    blocked.get(pending.lane()).addLast(pending);
                }
                processedIncoming++;
            }
            for (LaneLog lane : lanes) {
                long before = System.nanoTime();
                if (lane.commit()) {
                    long took = System.nanoTime() - before;
                    fsyncs++;
                    fsyncNanos += took;
                    fsyncMaxNanos = Math.max(fsyncMaxNanos, took);
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            for (int k = raisedKeys.size() - 1; k >= 0; k--) {
                marks.restore(raisedKeys.get(k), previousMarks.get(k));
            }
            lanes.forEach(LaneLog::rollBack);
            pendingGapMarkers.addAll(gapsThisBatch);
            pendingGapLanes.addAll(gapLanesThisBatch);
            LOG.error("{}write of {} record(s) failed; they are refused and the lanes rolled back: {}", logPrefix,
                    accepted.size(), e.toString());
            SpoolException failure = new SpoolException("spool write failed: " + e.getMessage(), e);
            for (PendingAppend pending : accepted) {
                refusedNow.add(pending);
                refusedWhy.add(failure);
            }
            accepted.clear();
            outcomes.clear();
            // The appends of this batch the failure cut off: each completes (refused), none waits for ever.
            for (PendingAppend pending : incoming.subList(processedIncoming, incoming.size())) {
                if (!refusedNow.contains(pending) && !blocked.get(pending.lane()).contains(pending)) {
                    refusedNow.add(pending);
                    refusedWhy.add(failure);
                }
            }
        }
        for (int i = 0; i < lanes.size(); i++) {
            lanes.get(i).publishDurable();
            durableFile.set(i, lanes.get(i).durablePosition());
        }
        if (!failed) {
            for (int gapLane : gapLanesThisBatch) {
                gapMarkers[gapLane]++;
            }
        }
        signalDurable();
        for (AppendOutcome outcome : outcomes) {
            if (outcome == AppendOutcome.DUPLICATE) {
                duplicates++;
            } else {
                appended++;
                indexDirty = true;
            }
        }
        refused += refusedNow.size();
        if (!failed) {
            noteOrigins(accepted, true);
        }
        publishCounters(); // before the futures complete: an acknowledged publish is already counted
        if (!failed && !raisedKeys.isEmpty()) {
            reportDurableMarks(accepted, outcomes);
        }
        for (int i = 0; i < refusedNow.size(); i++) {
            refuse(refusedNow.get(i), refusedWhy.get(i));
        }
        for (int i = 0; i < accepted.size(); i++) {
            accepted.get(i).future().complete(outcomes.get(i));
        }
    }

    /**
     * Decides one append: refuse (out of order), duplicate, add to its lane, or no room (returns false; the caller
     * blocks it). May drop oldest segments to make room. Writer thread.
     */
    private boolean tryAppend(PendingAppend pending, List<PendingAppend> accepted, List<AppendOutcome> outcomes,
                              List<StreamKey> raisedKeys, List<Mark> previousMarks, List<PendingAppend> refusedNow,
                              List<SpoolException> refusedWhy, List<SpoolRecord> gaps, List<Integer> gapLanes)
            throws IOException {
        SpoolRecord record = pending.record();
        StreamKey key = new StreamKey(record.device(), record.stream());
        boolean numbered = record.kind() == RecordKind.DATA && record.seq() != SpoolRecord.ASSIGN_SEQ;
        Optional<String> problem = RecordCodec.problemWith(record);
        if (problem.isPresent()) {
            // This record can never be stored: refused alone, and without blocking its stream behind it.
            refuseForGood(pending, new RecordRefusedException(problem.get()));
            return true;
        }
        if (numbered) {
            Mark floor = refusedFloors.get(key);
            Mark mark = new Mark(record.boot(), record.seq());
            if (floor != null) {
                if (mark.boot() > floor.boot() || mark.compareTo(floor) <= 0) {
                    refusedFloors.remove(key);
                } else {
                    refusedNow.add(pending);
                    refusedWhy.add(new SpoolException("an earlier record of stream " + record.stream() + " (boot "
                            + floor.boot() + " seq " + floor.seq() + ") was refused; send it again first"));
                    return true;
                }
            }
            if (marks.isDuplicate(key, record.boot(), record.seq())) {
                if (recent.differs(record).orElse(false)) {
                    refuseForGood(pending, collision(record));
                    return true;
                }
                accepted.add(pending);
                outcomes.add(AppendOutcome.DUPLICATE);
                return true;
            }
        }
        if (record.kind() == RecordKind.DATA && marks.get(key).isEmpty()) {
            Optional<String> overLimit = streamLimitProblem(key);
            if (overLimit.isPresent()) {
                refuseForGood(pending, new StreamLimitException(record.device(), overLimit.get()));
                return true;
            }
        }
        if (record.kind() == RecordKind.DATA && record.seq() == SpoolRecord.ASSIGN_SEQ) {
            Optional<Mark> assigned = marks.nextIdentity(key, record.boot());
            if (assigned.isEmpty()) {
                refuseForGood(pending, new RecordRefusedException("stream " + record.stream() + " of " + record.device()
                        + " has used up every boot and seq number"));
                return true;
            }
            record = record.withIdentity(assigned.get().boot(), assigned.get().seq());
        }
        int lane = pending.lane();
        if (!makeRoom(lane, RecordCodec.frameSize(record), gaps, gapLanes)) {
            return false;
        }
        lanes.get(lane).add(record);
        if (record.kind() == RecordKind.DATA) {
            if (numbered) {
                recent.stored(record); // an assigned identity is above every mark: it cannot collide
            }
            raisedKeys.add(key);
            previousMarks.add(marks.raise(key, record.boot(), record.seq()));
        }
        accepted.add(pending);
        outcomes.add(AppendOutcome.APPENDED);
        return true;
    }

    @Override
    public Optional<SpoolException> precheck(SpoolRecord record) {
        if (record.kind() != RecordKind.DATA) {
            return Optional.empty();
        }
        StreamKey key = new StreamKey(record.device(), record.stream());
        if (marks.get(key).isEmpty()) {
            return streamLimitProblem(key).map(problem -> new StreamLimitException(record.device(), problem));
        }
        if (record.seq() != SpoolRecord.ASSIGN_SEQ && marks.isDuplicate(key, record.boot(), record.seq())
                && recent.differs(record).orElse(false)) {
            return Optional.of(collision(record));
        }
        return Optional.empty();
    }

    private static IdentityCollisionException collision(SpoolRecord record) {
        return new IdentityCollisionException("stream " + record.stream() + " of " + record.device()
                + " already holds boot " + record.boot() + " seq " + record.seq() + " with other content: refused, "
                + "not acknowledged as a duplicate (is another publisher using this stream's identity?)");
    }

    /** Why a new stream {@code key} may not start (a stream limit is reached), or empty. Any thread. */
    private Optional<String> streamLimitProblem(StreamKey key) {
        SpoolConfig.StreamLimits limits = config.streamLimits();
        int ofDevice = marks.streamsOf(key.device());
        if (ofDevice >= limits.perDevice()) {
            return Optional.of("device " + key.device() + " has " + ofDevice + " streams, the most allowed "
                    + "(spool.max-streams-per-device); new stream '" + abbreviate(key.stream()) + "' refused");
        }
        if (marks.size() >= limits.total()) {
            return Optional.of("the spool has " + marks.size() + " streams, the most allowed (spool.max-streams); "
                    + "new stream '" + abbreviate(key.stream()) + "' of " + key.device() + " refused");
        }
        return Optional.empty();
    }

    private static String abbreviate(String name) {
        return name.length() <= 96 ? name : name.substring(0, 96) + "...";
    }

    /** Whether {@code bytes} more fit in {@code lane}, after dropping oldest segments where the policy allows. */
    private boolean makeRoom(int lane, int bytes, List<SpoolRecord> gaps, List<Integer> gapLanes) throws IOException {
        while (true) {
            LaneLog log = lanes.get(lane);
            boolean laneFull = log.bytesOnDisk() + bytes > laneConfigs.get(lane).budgetBytes();
            boolean spoolFull = totalBytes() + bytes > config.budgetBytes();
            if (!laneFull && !spoolFull) {
                return true;
            }
            int victim = -1;
            if (laneFull) {
                if (laneConfigs.get(lane).whenFull() == SpoolConfig.FullPolicy.DROP_OLDEST
                        && log.oldestClosedSegment() >= 0) {
                    victim = lane;
                }
            } else {
                for (int candidate = lanes.size() - 1; candidate >= 0; candidate--) {
                    if (laneConfigs.get(candidate).whenFull() == SpoolConfig.FullPolicy.DROP_OLDEST
                            && lanes.get(candidate).oldestClosedSegment() >= 0) {
                        victim = candidate;
                        break;
                    }
                }
            }
            if (victim < 0) {
                return false;
            }
            LaneLog victimLog = lanes.get(victim);
            LaneLog.Dropped dropped = victimLog.dropOldest(minimumCursor(victimLog), this::retireMarks);
            droppedRecords[victim] += dropped.summary().records();
            // Gap markers nobody has read yet must not vanish with the segment: they move to the lane's end.
            for (SpoolRecord carried : dropped.carried()) {
                victimLog.add(carried);
            }
            if (dropped.summary().records() > 0) {
                SpoolRecord gap = GapMarkers.marker(deviceId, victimLog.name(), GapMarkers.Reason.DROPPED_OLDEST,
                        dropped.fromPosition(), dropped.toPosition(), dropped.summary(), clock.millis());
                LOG.warn("{}lane {} full: dropped its oldest segment ({} unread records, positions {}..{}); "
                        + "gap marker written", logPrefix, victimLog.name(), dropped.summary().records(),
                        dropped.fromPosition(), dropped.toPosition());
                victimLog.add(gap);
                gaps.add(gap);
                gapLanes.add(victim);
            }
        }
    }

    private long totalBytes() {
        long total = 0;
        for (LaneLog lane : lanes) {
            total += lane.bytesOnDisk();
        }
        return total;
    }

    private String fullMessage(int lane) {
        return "spool lane '" + laneConfigs.get(lane).name() + "' is full (" + lanes.get(lane).bytesOnDisk()
                + " of " + laneConfigs.get(lane).budgetBytes() + " bytes; spool " + totalBytes() + " of "
                + config.budgetBytes() + ")";
    }

    private void refuse(PendingAppend pending, SpoolException why) {
        SpoolRecord record = pending.record();
        if (record.kind() == RecordKind.DATA && record.seq() != SpoolRecord.ASSIGN_SEQ) {
            StreamKey key = new StreamKey(record.device(), record.stream());
            Mark mark = new Mark(record.boot(), record.seq());
            Mark floor = refusedFloors.get(key);
            if (floor == null || mark.compareTo(floor) < 0) {
                if (!marks.isDuplicate(key, record.boot(), record.seq())) {
                    refusedFloors.put(key, mark);
                }
            }
        }
        pending.future().completeExceptionally(why);
    }

    /** Refuses an append that can never succeed; unlike {@link #refuse}, later records of its stream are not held. */
    private void refuseForGood(PendingAppend pending, SpoolException why) {
        refused++;
        pending.future().completeExceptionally(why);
    }

    private void refuseBlocked(String reason) {
        for (ArrayDeque<PendingAppend> waiting : blocked) {
            PendingAppend pending;
            while ((pending = waiting.pollFirst()) != null) {
                refused++;
                refuse(pending, new SpoolException(reason));
            }
        }
    }

    private void signalDurable() {
        durableLock.lock();
        try {
            durableAdvanced.signalAll();
        } finally {
            durableLock.unlock();
        }
    }

    /** Waits until {@code condition} holds or the timeout passes; for in-process readers. */
    boolean awaitDurable(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        durableLock.lock();
        try {
            while (!condition.getAsBoolean()) {
                if (nanos <= 0 || closed.get()) {
                    return condition.getAsBoolean();
                }
                nanos = durableAdvanced.awaitNanos(nanos);
            }
            return true;
        } finally {
            durableLock.unlock();
        }
    }

    long durablePosition(int lane) {
        return lanes.get(lane).durablePosition();
    }

    /** The lowest committed position of any reader in {@code lane} (its start when no reader exists). */
    private long minimumCursor(LaneLog lane) throws IOException {
        return readerMinimums().map(m -> m.get(lane.name())).orElse(lane.startPosition());
    }

    /** Per lane, the lowest committed position over all registered readers; empty when there is no reader. */
    private Optional<Map<String, Long>> readerMinimums() throws IOException {
        Map<String, Long> minimum = new HashMap<>();
        boolean anyReader = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.resolve("readers"), "*.cursor")) {
            for (Path file : files) {
                anyReader = true;
                Map<String, Long> positions = new CursorFile(file).read();
                for (LaneLog lane : lanes) {
                    long position = positions.getOrDefault(lane.name(), lane.startPosition());
                    minimum.merge(lane.name(), position, Math::min);
                }
            }
        }
        return anyReader ? Optional.of(minimum) : Optional.empty();
    }

    /** Deletes segments every reader has consumed. Writer thread. */
    private void deleteConsumedSegments() {
        try {
            Optional<Map<String, Long>> minimums = readerMinimums();
            if (minimums.isEmpty()) {
                return;
            }
            Map<String, Long> minimum = minimums.get();
            int deleted = 0;
            for (LaneLog lane : lanes) {
                deleted += lane.deleteBelow(minimum.get(lane.name()), this::retireMarks);
            }
            if (deleted > 0) {
                LOG.debug("{}deleted {} consumed segment(s)", logPrefix, deleted);
            }
        } catch (IOException e) {
            LOG.warn("{}could not delete consumed segments (will retry): {}", logPrefix, e.toString());
        }
    }

    /**
     * Writes the origins of the given appends to the origin log: {@code stored} after their fsync, else as received
     * before their records are written. A failure only costs recognising their retransmissions after a restart.
     */
    private void noteOrigins(List<PendingAppend> appends, boolean stored) {
        List<Origin> noted = new ArrayList<>();
        for (PendingAppend pending : appends) {
            if (pending.origin() != null) {
                noted.add(pending.origin());
            }
        }
        try {
            if (stored) {
                origins.stored(noted);
            } else {
                origins.received(noted);
            }
        } catch (IOException e) {
            LOG.warn("{}could not write {} (retransmissions after a restart may be stored twice): {}", logPrefix,
                    OriginLog.FILE, e.toString());
        }
    }

    /** Keeps the marks of streams whose records leave the segments (before the files are deleted). */
    private void retireMarks(java.util.Set<StreamKey> streams) throws IOException {
        retiredMarks.retire(streams, marks);
    }

    private void writeIndex() {
        Map<String, Long> positions = new LinkedHashMap<>();
        for (LaneLog lane : lanes) {
            positions.put(lane.name(), lane.durablePosition());
        }
        try {
            IndexCache.write(directory.resolve(INDEX), positions, marks);
            indexDirty = false;
            lastIndexWrite = System.nanoTime();
        } catch (IOException e) {
            LOG.warn("{}could not write the dedup index cache (only costs a longer scan at next open): {}",
                    logPrefix, e.toString());
        }
    }

    private void publishCounters() {
        long now = clock.millis();
        List<SpoolCounters.Lane> perLane = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            LaneLog lane = lanes.get(i);
            long oldest = lane.oldestReceivedAtMillis();
            perLane.add(new SpoolCounters.Lane(lane.name(), lane.bytesOnDisk(), lane.segmentCount(),
                    oldest < 0 ? 0 : Math.max(0, now - oldest), droppedRecords[i], gapMarkers[i], blocked.get(i).size()));
        }
        counters = new SpoolCounters(appended, duplicates, refused, fsyncs, fsyncNanos, fsyncMaxNanos,
                List.copyOf(perLane));
    }

    void onReaderCommitted() {
        readerCommitted.set(true);
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
        this.durableListener = java.util.Objects.requireNonNull(listener);
    }

    private void reportDurableMarks(List<PendingAppend> accepted, List<AppendOutcome> outcomes) {
        Map<StreamId, DurableMark> stored = new HashMap<>();
        for (int i = 0; i < accepted.size(); i++) {
            if (outcomes.get(i) == AppendOutcome.DUPLICATE) {
                continue;
            }
            PendingAppend pending = accepted.get(i);
            StreamKey key = new StreamKey(pending.record().device(), pending.record().stream());
            String lane = lanes.get(pending.lane()).name();
            marks.get(key).ifPresent(mark -> stored.put(new StreamId(key.device(), key.stream()),
                    new DurableMark(lane, mark.boot(), mark.seq())));
        }
        if (stored.isEmpty()) {
            return;
        }
        try {
            durableListener.durable(stored);
        } catch (RuntimeException e) {
            LOG.warn("{}durable listener failed (the records are stored): {}", logPrefix, e.toString());
        }
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
                return awaitDurable(condition, timeout);
            }

            @Override
            public void committed() {
                onReaderCommitted();
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
        return counters;
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
        leftover.forEach(p -> p.future().completeExceptionally(new SpoolException("spool is closed")));
        signalDurable();
        if (!writer.isAlive()) {
            writeIndex();
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
        SpoolCounters last = counters;
        LOG.info("{}closed: {}; since open: {} appended, {} duplicates, {} refused, {} fsyncs ({} records per fsync)",
                logPrefix, lanes.stream().map(l -> l.name() + "@" + l.durablePosition()).toList(), last.appended(),
                last.duplicates(), last.refused(), last.fsyncs(),
                last.fsyncs() == 0 ? 0 : String.format(java.util.Locale.ROOT, "%.1f", (double) last.appended() / last.fsyncs()));
    }
}
