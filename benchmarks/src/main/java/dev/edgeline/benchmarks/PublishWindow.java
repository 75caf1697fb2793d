package dev.edgeline.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The send loop of a windowed publisher: sends as long as {@code running} says so, never more than the window's
 * permits unacknowledged; each send's acknowledgement or failure releases its permit and is counted.
 */
final class PublishWindow {
    /** Sends one publish; its client calls {@link #acknowledged()} or {@link #refused()} once it is answered. */
    interface Send {
        void send(long seq) throws Exception;
    }

    private final Semaphore permits;
    private final AtomicLong acknowledged;
    private final AtomicLong refused;

    PublishWindow(int size, AtomicLong acknowledged, AtomicLong refused) {
        this.permits = new Semaphore(size);
        this.acknowledged = acknowledged;
        this.refused = refused;
    }

    /** Narrows the window (to a broker's receive maximum). */
    void narrowTo(int size) {
        if (size < permits.availablePermits()) {
            permits.acquireUninterruptibly(permits.availablePermits() - size);
        }
    }

    void acknowledged() {
        acknowledged.incrementAndGet();
        permits.release();
    }

    void refused() {
        refused.incrementAndGet();
        permits.release();
    }

    /** Runs until {@code running} is false or the thread is interrupted. */
    void run(BooleanSupplier running, Send send) {
        long seq = 0;
        while (running.getAsBoolean()) {
            try {
                if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                send.send(seq++);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                refused();
            }
        }
    }
}
