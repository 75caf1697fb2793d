package dev.edgeline.time;

import java.util.concurrent.locks.LockSupport;

/** {@link Ticker#system()}. */
final class SystemTicker implements Ticker {
    static final SystemTicker INSTANCE = new SystemTicker();

    private SystemTicker() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void parkUntil(long deadlineNanos) {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(this, wait);
        }
    }

    @Override
    public void wake(Thread thread) {
        LockSupport.unpark(thread);
    }
}
