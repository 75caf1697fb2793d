package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.internal.DiskOutbox.Entry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readings between the sampler and the broker: the {@link DiskOutbox} they are appended to, and the ones in
 * flight (sent, not yet acknowledged), at most the window the broker allows. An entry leaves the outbox only when the
 * broker acknowledged it; one whose publish failed, or that was in flight when the connection dropped, goes back to
 * the front, in order. Thread-safe (one lock); the publisher thread takes, Paho's threads acknowledge and give back,
 * the sampler appends.
 */
final class OutboxDrain {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final DiskOutbox outbox;
    private final Map<Long, Entry> inFlight = new LinkedHashMap<>();
    private final Consumer<DiskOutbox.Overflow> overflowListener;
    private final AtomicLong notStored = new AtomicLong();
    private final String logPrefix;
    private int window = 1;
    private boolean connected;
    private boolean stopped;

    OutboxDrain(DiskOutbox outbox, Consumer<DiskOutbox.Overflow> overflowListener, String logPrefix) {
        this.outbox = outbox;
        this.overflowListener = overflowListener;
        this.logPrefix = logPrefix;
    }

    /** Appends a reading (written at once, fsynced by {@link #sync}); a reading that cannot be stored is counted. */
    void enqueue(Reading reading) {
        lock.lock();
        try {
            outbox.append(reading);
            changed.signalAll();
        } catch (IOException e) {
            notStored.incrementAndGet();
            LOG.error("{}cannot store {}/{} in the outbox (disk full?): {}; the reading is lost", logPrefix,
                    reading.stream(), reading.seq(), e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Appends a reading and fsyncs it before returning. */
    void enqueueDurably(Reading reading) throws IOException {
        lock.lock();
        try {
            outbox.append(reading);
            outbox.sync();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Readings lost in the agent: dropped over the outbox budget, or not storable at all. */
    long dropped() {
        lock.lock();
        try {
            return outbox.dropped() + notStored.get();
        } finally {
            lock.unlock();
        }
    }

    /** Readings waiting for the broker's acknowledgement (in flight, in memory or on disk). */
    long pending() {
        lock.lock();
        try {
            return outbox.pending();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every reading is acknowledged; whether that happened within {@code timeout}. */
    boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (outbox.pending() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs the outbox and tells the overflow listener (outside the lock) what went over the budget. */
    void sync() {
        List<DiskOutbox.Overflow> overflows;
        lock.lock();
        try {
            outbox.sync();
            overflows = outbox.takeOverflow();
        } catch (IOException e) {
            LOG.error("{}cannot sync the outbox: {}", logPrefix, e.toString());
            return;
        } finally {
            lock.unlock();
        }
        overflows.forEach(overflowListener);
    }

    boolean isConnected() {
        lock.lock();
        try {
            return connected;
        } finally {
            lock.unlock();
        }
    }

    /** Connected, with this in-flight window (0: the one of the connection Paho already had). */
    void connected(int allowedWindow) {
        lock.lock();
        try {
            if (allowedWindow > 0) {
                window = allowedWindow;
            }
            connected = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The connection dropped: everything in flight goes back to the front of the outbox, in order. */
    void disconnected() {
        lock.lock(); // reentrant: giveBack() takes it again
        try {
            connected = false;
            giveBack(new ArrayList<>(inFlight.values()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (at most {@code wait}) for a reading to send and room in the window; moves it to in-flight. Null when
     * there is nothing now, or the connection dropped, or the drain stopped.
     */
    Entry takeNextToSend(Duration wait) throws InterruptedException {
        lock.lock();
        try {
            long waitNanos = wait.toNanos();
            Entry entry = null;
            while (!stopped && connected && inFlight.size() < window && (entry = poll()) == null) {
                if (waitNanos <= 0) {
                    return null;
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            while (!stopped && connected && entry == null && inFlight.size() >= window && waitNanos > 0) {
                waitNanos = changed.awaitNanos(waitNanos);
            }
            if (entry == null || stopped || !connected) {
                if (entry != null) {
                    outbox.giveBack(List.of(entry));
                }
                return null;
            }
            inFlight.put(entry.order(), entry);
            return entry;
        } finally {
            lock.unlock();
        }
    }

    private Entry poll() {
        try {
            return outbox.poll();
        } catch (IOException e) {
            LOG.error("{}cannot read the outbox: {}", logPrefix, e.toString());
            return null;
        }
    }

    /** Puts entries back in the outbox in their original order, ahead of newer ones. */
    void giveBack(List<Entry> entries) {
        lock.lock();
        try {
            List<Entry> back = new ArrayList<>();
            for (Entry e : entries) {
                if (inFlight.remove(e.order()) != null) {
                    back.add(e);
                }
            }
            outbox.giveBack(back);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The broker acknowledged {@code entry}: it leaves the outbox, and {@code whileLocked} runs before anyone waiting
     * in {@link #awaitEmpty} wakes (so that its return means every acknowledgement was told). False when it was
     * acknowledged before (through an earlier token).
     */
    boolean acknowledged(Entry entry, Runnable whileLocked) {
        lock.lock();
        try {
            inFlight.remove(entry.order());
            // If it was given back by a disconnect and the ack arrived anyway, it is durable: acknowledging removes
            // it so that it is not sent again.
            if (!outbox.acknowledge(entry.order())) {
                return false;
            }
            whileLocked.run();
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out readings and wakes whoever waits. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the outbox; the readings still in it (unacknowledged), or -1 when it could not be closed cleanly. */
    long close() {
        lock.lock();
        try {
            long unsent = outbox.pending();
            outbox.close();
            return unsent;
        } catch (IOException e) {
            LOG.error("{}cannot close the outbox: {}", logPrefix, e.toString());
            return -1;
        } finally {
            lock.unlock();
        }
    }
}
