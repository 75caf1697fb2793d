package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.DurablePositionsFile;
import dev.edgeline.broker.spool.internal.IndexCache;
import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.broker.spool.internal.OriginLog;
import dev.edgeline.broker.spool.internal.RecordCodec;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's one writer thread ({@code spool-writer}): takes the queued appends in batches, decides each
 * ({@link Admission}), adds the stored ones to their lanes (making room by the lanes' policies, {@link LaneSpace}),
 * fsyncs each touched lane once (group commit), publishes the durable positions, and only then completes the futures.
 * An append to a full {@code block} lane waits in its lane's queue, in order, until there is room or its block
 * timeout passes. A failed write rolls the whole batch back and refuses it. Between batches: consumed segments are
 * deleted and the dedup index cache is refreshed. Everything here runs on the writer thread except {@link #offer},
 * {@link #awaitDurable}, {@link #readerCommitted()}, {@link #counters()} and {@link #stop}.
 */
final class SpoolWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);
    static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 8_192;
    static final String INDEX = "dedup.index";
    private static final Duration INDEX_INTERVAL = Duration.ofSeconds(30);
    private static final Duration CURSOR_SCAN_INTERVAL = Duration.ofSeconds(1);

    private final SpoolConfig config;
    private final Path directory;
    private final List<LaneLog> lanes;
    private final Admission admission;
    private final LaneSpace space;
    private final SegmentRetention retention;
    private final OriginLog origins;
    private final DurablePositionsFile durableFile;
    private final InstantSource clock;
    private final String logPrefix;
    private final BlockingQueue<PendingAppend> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<ArrayDeque<PendingAppend>> blocked = new ArrayList<>();
    private final List<SpoolRecord> pendingGapMarkers = new ArrayList<>();
    private final List<Integer> pendingGapLanes = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean readerCommitted = new AtomicBoolean();
    private final DurableNotifier durable;
    private final WriterTally tally;

    // Written by the writer thread only.
    private boolean indexDirty;
    private long lastIndexWrite = System.nanoTime();
    private long lastCursorScan = System.nanoTime();

    SpoolWriter(SpoolConfig config, Path directory, List<LaneLog> lanes, Admission admission, LaneSpace space,
                SegmentRetention retention, OriginLog origins, DurablePositionsFile durableFile, InstantSource clock,
                String logPrefix) {
        this.config = config;
        this.directory = directory;
        this.lanes = lanes;
        this.admission = admission;
        this.space = space;
        this.retention = retention;
        this.origins = origins;
        this.durableFile = durableFile;
        this.clock = clock;
        this.logPrefix = logPrefix;
        this.durable = new DurableNotifier(closed::get, logPrefix);
        for (int i = 0; i < lanes.size(); i++) {
            blocked.add(new ArrayDeque<>());
        }
        this.tally = new WriterTally(lanes.size());
        writeIndex();
        publishCounters();
    }

    /** Queues an append; false when the spool is closed or the queue is full. Any thread. */
    boolean offer(PendingAppend pending) {
        return !closed.get() && queue.offer(pending);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** The loop of the writer thread; returns once stopped and every queued append is handled. */
    void run() {
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

    /** Stops taking appends; the loop ends once what is queued is handled. False if it was stopped already. */
    boolean stop() {
        return closed.compareAndSet(false, true);
    }

    /** After the writer thread ended (or gave up): refuses what is left in the queue, wakes waiting readers. */
    void refuseLeftovers() {
        List<PendingAppend> leftover = new ArrayList<>();
        queue.drainTo(leftover);
        leftover.forEach(p -> p.future().completeExceptionally(new SpoolException("spool is closed")));
        durable.signal();
    }

    /** Deletes consumed segments and refreshes the index cache when due. Writer thread. */
    private void housekeeping() {
        long now = System.nanoTime();
        if (readerCommitted.getAndSet(false) || now - lastCursorScan > CURSOR_SCAN_INTERVAL.toNanos()) {
            lastCursorScan = now;
            retention.deleteConsumedSegments();
        }
        if (indexDirty && now - lastIndexWrite > INDEX_INTERVAL.toNanos()) {
            writeIndex();
        }
    }

    /** What one batch did: stored (or duplicate), refused, marks raised and gap markers written. */
    private static final class Batch implements LaneSpace.GapSink {
        final List<PendingAppend> accepted = new ArrayList<>();
        final List<AppendOutcome> outcomes = new ArrayList<>();
        final List<Admission.Raised> raised = new ArrayList<>();
        final List<PendingAppend> refusedNow = new ArrayList<>();
        final List<SpoolException> refusedWhy = new ArrayList<>();
        final List<SpoolRecord> gaps = new ArrayList<>();
        final List<Integer> gapLanes = new ArrayList<>();

        void refuse(PendingAppend pending, SpoolException why) {
            refusedNow.add(pending);
            refusedWhy.add(why);
        }

        @Override
        public void written(SpoolRecord gap, int lane) {
            gaps.add(gap);
            gapLanes.add(lane);
        }
    }

    /** Appends one batch (blocked appends first, lane by lane), fsyncs each touched lane once, completes futures. */
    private void commit(List<PendingAppend> incoming) {
        Batch batch = new Batch();
        long nowNanos = System.nanoTime();
        boolean failed = false;
        int processedIncoming = 0;
        noteOrigins(incoming, false);
        try {
            // Gap markers that a failed batch could not write go first.
            for (int i = 0; i < pendingGapMarkers.size(); i++) {
                lanes.get(pendingGapLanes.get(i)).add(pendingGapMarkers.get(i));
                batch.written(pendingGapMarkers.get(i), pendingGapLanes.get(i));
            }
            pendingGapMarkers.clear();
            pendingGapLanes.clear();
            for (int lane = 0; lane < lanes.size(); lane++) {
                ArrayDeque<PendingAppend> waiting = blocked.get(lane);
                while (!waiting.isEmpty()) {
                    PendingAppend head = waiting.peekFirst();
                    if (nowNanos - head.enqueuedNanos() > config.blockTimeout().toNanos()) {
                        waiting.pollFirst();
                        batch.refuse(head, new SpoolFullException(space.fullMessage(lane) + "; refused after waiting "
                                + config.blockTimeout().toSeconds() + " s"));
                        continue;
                    }
                    if (!tryAppend(head, batch)) {
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
                if (!tryAppend(pending, batch)) {
                    blocked.get(pending.lane()).addLast(pending);
                }
                processedIncoming++;
            }
            for (LaneLog lane : lanes) {
                long before = System.nanoTime();
                if (lane.commit()) {
                    tally.fsync(System.nanoTime() - before);
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            rollBack(batch, incoming.subList(processedIncoming, incoming.size()), e);
        }
        for (int i = 0; i < lanes.size(); i++) {
            lanes.get(i).publishDurable();
            durableFile.set(i, lanes.get(i).durablePosition());
        }
        if (!failed) {
            for (int gapLane : batch.gapLanes) {
                tally.gapMarker(gapLane);
            }
        }
        durable.signal();
        for (AppendOutcome outcome : batch.outcomes) {
            tally.stored(outcome);
            indexDirty |= outcome != AppendOutcome.DUPLICATE;
        }
        tally.refused(batch.refusedNow.size());
        if (!failed) {
            noteOrigins(batch.accepted, true);
        }
        publishCounters(); // before the futures complete: an acknowledged publish is already counted
        if (!failed && !batch.raised.isEmpty()) {
            durable.stored(batch.accepted, batch.outcomes, lanes, admission.marks());
        }
        for (int i = 0; i < batch.refusedNow.size(); i++) {
            refuse(batch.refusedNow.get(i), batch.refusedWhy.get(i));
        }
        for (int i = 0; i < batch.accepted.size(); i++) {
            batch.accepted.get(i).future().complete(batch.outcomes.get(i));
        }
    }

    /** Undoes a batch whose write failed: marks restored, lanes rolled back, every append of it refused. */
    private void rollBack(Batch batch, List<PendingAppend> cutOff, Exception e) {
        for (int k = batch.raised.size() - 1; k >= 0; k--) {
            admission.restore(batch.raised.get(k));
        }
        lanes.forEach(LaneLog::rollBack);
        pendingGapMarkers.addAll(batch.gaps);
        pendingGapLanes.addAll(batch.gapLanes);
        LOG.error("{}write of {} record(s) failed; they are refused and the lanes rolled back: {}", logPrefix,
                batch.accepted.size(), e.toString());
        SpoolException failure = new SpoolException("spool write failed: " + e.getMessage(), e);
        for (PendingAppend pending : batch.accepted) {
            batch.refuse(pending, failure);
        }
        batch.accepted.clear();
        batch.outcomes.clear();
        // The appends of this batch the failure cut off: each completes (refused), none waits for ever.
        for (PendingAppend pending : cutOff) {
            if (!batch.refusedNow.contains(pending) && !blocked.get(pending.lane()).contains(pending)) {
                batch.refuse(pending, failure);
            }
        }
    }

    /**
     * Decides one append: refused, duplicate, added to its lane, or no room (returns false; the caller blocks it).
     * May drop oldest segments to make room.
     */
    private boolean tryAppend(PendingAppend pending, Batch batch) throws IOException {
        Admission.Verdict verdict = admission.decide(pending.record());
        switch (verdict.decision()) {
            case REFUSE_FOR_GOOD -> {
                // This record can never be stored: refused alone, and without blocking its stream behind it.
                tally.refused(1);
                pending.future().completeExceptionally(verdict.why());
                return true;
            }
            case REFUSE_HOLDING_STREAM -> {
                batch.refuse(pending, verdict.why());
                return true;
            }
            case DUPLICATE -> {
                batch.accepted.add(pending);
                batch.outcomes.add(AppendOutcome.DUPLICATE);
                return true;
            }
            case STORE -> {
                SpoolRecord record = verdict.record();
                if (!space.makeRoom(pending.lane(), RecordCodec.frameSize(record), batch)) {
                    return false;
                }
                lanes.get(pending.lane()).add(record);
                Admission.Raised raised = admission.stored(verdict);
                if (raised != null) {
                    batch.raised.add(raised);
                }
                batch.accepted.add(pending);
                batch.outcomes.add(AppendOutcome.APPENDED);
                return true;
            }
            default -> throw new IllegalStateException("unknown decision " + verdict.decision());
        }
    }

    private void refuse(PendingAppend pending, SpoolException why) {
        admission.refused(pending.record());
        pending.future().completeExceptionally(why);
    }

    private void refuseBlocked(String reason) {
        for (ArrayDeque<PendingAppend> waiting : blocked) {
            PendingAppend pending;
            while ((pending = waiting.pollFirst()) != null) {
                tally.refused(1);
                refuse(pending, new SpoolException(reason));
            }
        }
    }

    /** Waits until {@code condition} holds or the timeout passes; for in-process readers. Any thread. */
    boolean awaitDurable(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        return durable.await(condition, timeout);
    }

    /** A reader committed its cursor: consumed segments are looked for at the next batch. Any thread. */
    void readerCommitted() {
        readerCommitted.set(true);
    }

    /**
     * Writes the origins of the given appends to the origin log: {@code stored} after their fsync, else as received
     * before their records are written. A failure only costs recognising their retransmissions after a restart.
     */
    private void noteOrigins(List<PendingAppend> appends, boolean stored) {
        List<Spool.Origin> noted = new ArrayList<>();
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

    /** Writes the dedup index cache (what it only saves: scanning the segments at the next open). */
    void writeIndex() {
        Map<String, Long> positions = new LinkedHashMap<>();
        for (LaneLog lane : lanes) {
            positions.put(lane.name(), lane.durablePosition());
        }
        try {
            IndexCache.write(directory.resolve(INDEX), positions, admission.marks());
            indexDirty = false;
            lastIndexWrite = System.nanoTime();
        } catch (IOException e) {
            LOG.warn("{}could not write the dedup index cache (only costs a longer scan at next open): {}",
                    logPrefix, e.toString());
        }
    }

    private void publishCounters() {
        tally.publish(lanes, space, blocked, clock.millis());
    }

    SpoolCounters counters() {
        return tally.current();
    }

    void onDurable(SegmentedFileSpool.DurableListener listener) {
        durable.listen(listener);
    }
}
