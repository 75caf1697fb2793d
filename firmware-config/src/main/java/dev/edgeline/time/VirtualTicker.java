package dev.edgeline.time;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ticker for tests whose time moves only when the test says so, and only while every thread under test waits on it:
 * a discrete-event clock. The test names how many threads take part; {@link #runFor(Duration)} waits until all of
 * them are parked in {@link #parkUntil(long)}, moves time to the earliest deadline, wakes the threads due then, and
 * repeats until the requested time has passed. What the threads compute from {@link #nanoTime()} is therefore exact
 * and the same on every run, however loaded the machine is: a schedule can be asserted to the nanosecond.
 *
 * <p>A thread under test that blocks on anything but this ticker (a real sleep, I/O) holds time still until it parks
 * again. When the test is over, {@link #release()} lets every waiting thread through so that the code under test can
 * be closed.
 */
public final class VirtualTicker implements Ticker {
    private static final long QUIESCENCE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition parkedChanged = lock.newCondition();
    private final int parties;
    private final Map<Thread, Long> parked = new HashMap<>();
    private volatile long now;
    private volatile boolean released;

    /** @param parties how many threads under test wait on this ticker; time moves only when all of them do */
    public VirtualTicker(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be at least 1, was " + parties);
        }
        this.parties = parties;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void parkUntil(long deadlineNanos) {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            if (released) {
                now = Math.max(now, deadlineNanos);
                return;
            }
            if (deadlineNanos - now <= 0) {
                return;
            }
            parked.put(me, deadlineNanos);
            parkedChanged.signalAll();
        } finally {
            lock.unlock();
        }
        LockSupport.park(this);
        lock.lock();
        try {
            parked.remove(me); // a no-op when runFor or wake removed it before unparking
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wake(Thread thread) {
        lock.lock();
        try {
            parked.remove(thread);
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(thread);
    }

    /**
     * Moves time forward by {@code duration}, waking each parked thread at its deadline, in deadline order, and
     * waiting for all parties to park again before moving further. Returns with time at exactly the target and every
     * party parked.
     *
     * @throws IllegalStateException when the parties do not all park within 30 s of real time (a thread blocked
     *                               elsewhere, or fewer threads than declared)
     */
    public void runFor(Duration duration) throws InterruptedException {
        long target = now + duration.toNanos();
        lock.lock();
        try {
            while (true) {
                awaitAllParked();
                long earliest = parked.values().stream().mapToLong(Long::longValue)
                        .reduce((a, b) -> a - b <= 0 ? a : b).orElseThrow();
                if (earliest - target > 0) {
                    now = target;
                    return;
                }
                now = earliest;
                for (Iterator<Map.Entry<Thread, Long>> it = parked.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<Thread, Long> entry = it.next();
                    if (entry.getValue() - now <= 0) {
                        it.remove();
                        LockSupport.unpark(entry.getKey());
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitAllParked() throws InterruptedException {
        long left = QUIESCENCE_TIMEOUT_NANOS;
        while (parked.size() < parties) {
            if (left <= 0) {
                throw new IllegalStateException("only " + parked.size() + " of " + parties + " threads parked on the "
                        + "virtual ticker within 30 s: a thread is blocked elsewhere, or fewer threads take part");
            }
            left = parkedChanged.awaitNanos(left);
        }
    }

    /** Ends the simulation: every parked thread is woken, and from now on waits return at once with time moved to their deadline. */
    public void release() {
        lock.lock();
        try {
            released = true;
            parked.keySet().forEach(LockSupport::unpark);
            parked.clear();
        } finally {
            lock.unlock();
        }
    }
}
