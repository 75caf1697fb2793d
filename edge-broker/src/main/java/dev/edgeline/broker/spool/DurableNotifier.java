package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells who waits that records became durable: in-process readers waiting for a lane's durable position to advance
 * ({@link #await}), and the one {@link SegmentedFileSpool.DurableListener} (the per-stream receipts) with the new mark
 * of every stream a batch stored.
 */
final class DurableNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(DurableNotifier.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final BooleanSupplier closed;
    private final String logPrefix;
    private volatile SegmentedFileSpool.DurableListener listener = marks -> { };

    DurableNotifier(BooleanSupplier closed, String logPrefix) {
        this.closed = closed;
        this.logPrefix = logPrefix;
    }

    /** Wakes every reader waiting in {@link #await}. */
    void signal() {
        lock.lock();
        try {
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code condition} holds, the timeout passes or the spool closes. Any thread. */
    boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                if (nanos <= 0 || closed.getAsBoolean()) {
                    return condition.getAsBoolean();
                }
                nanos = advanced.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    void listen(SegmentedFileSpool.DurableListener listener) {
        this.listener = listener;
    }

    /** Tells the listener the marks of the streams {@code accepted} stored (duplicates left out). Writer thread. */
    void stored(List<PendingAppend> accepted, List<AppendOutcome> outcomes, List<LaneLog> lanes, StreamMarks marks) {
        Map<Spool.StreamId, Spool.DurableMark> stored = new HashMap<>();
        for (int i = 0; i < accepted.size(); i++) {
            if (outcomes.get(i) == AppendOutcome.DUPLICATE) {
                continue;
            }
            PendingAppend pending = accepted.get(i);
            StreamKey key = new StreamKey(pending.record().device(), pending.record().stream());
            String lane = lanes.get(pending.lane()).name();
            marks.get(key).ifPresent(mark -> stored.put(new Spool.StreamId(key.device(), key.stream()),
                    new Spool.DurableMark(lane, mark.boot(), mark.seq())));
        }
        if (stored.isEmpty()) {
            return;
        }
        try {
            listener.durable(stored);
        } catch (RuntimeException e) {
            LOG.warn("{}durable listener failed (the records are stored): {}", logPrefix, e.toString());
        }
    }
}
