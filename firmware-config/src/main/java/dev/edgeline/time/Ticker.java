package dev.edgeline.time;

import java.time.Duration;

/**
 * A monotonic nanosecond clock and a way to wait on it: what code that schedules by elapsed time takes instead of
 * calling {@link System#nanoTime()} and {@link Thread#sleep} itself, so that its tests can run on a
 * {@link VirtualTicker} instead of sleeping and asserting on the wall clock. Only differences between two readings
 * mean anything, as with {@code System.nanoTime()}.
 */
public interface Ticker {
    /** The ticker of the machine: {@link System#nanoTime()} and {@link java.util.concurrent.locks.LockSupport}. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    long nanoTime();

    /**
     * Parks the calling thread until {@link #nanoTime()} reaches {@code deadlineNanos}, or earlier: when another
     * thread calls {@link #wake(Thread)}, when the thread is interrupted, or spuriously. Callers wait in a loop that
     * checks the time and their own condition.
     */
    void parkUntil(long deadlineNanos);

    /** Wakes {@code thread} if it is parked in {@link #parkUntil(long)}. */
    void wake(Thread thread);

    /** Waits {@code duration} on this ticker. */
    default void sleep(Duration duration) throws InterruptedException {
        long deadline = nanoTime() + duration.toNanos();
        while (deadline - nanoTime() > 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting " + duration);
            }
            parkUntil(deadline);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting " + duration);
        }
    }
}
