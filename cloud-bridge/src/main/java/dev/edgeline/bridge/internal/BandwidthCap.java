package dev.edgeline.bridge.internal;

/**
 * Paces sending to at most a number of bytes per second, for metered links: after sending {@code n} bytes the next
 * send waits until the link would have carried them at the cap. No cap when the rate is 0. Not thread-safe; owned
 * by the bridge thread. Uses monotonic time.
 */
public final class BandwidthCap {
    private final long bytesPerSecond;
    private long nextAllowedNanos = System.nanoTime();

    public BandwidthCap(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Waits until {@code bytes} may be sent, and books them. */
    public void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond <= 0) {
            return;
        }
        long now = System.nanoTime();
        long wait = nextAllowedNanos - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        nextAllowedNanos = Math.max(now, nextAllowedNanos) + bytes * 1_000_000_000L / bytesPerSecond;
    }
}
