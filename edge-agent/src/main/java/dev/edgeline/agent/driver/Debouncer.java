package dev.edgeline.agent.driver;

import java.util.Optional;

/**
 * Turns raw edges of a bouncing contact into settled level changes: a change counts once the raw level has stayed
 * the same for the whole window since the last raw edge, and only if it differs from the last settled level (a
 * bounce that returns to where it started is no change). Pure logic with caller-supplied times; thread-safe.
 */
public final class Debouncer {
    private final long windowNanos;
    private boolean settled;
    private boolean raw;
    private long lastEdgeNanos;

    public Debouncer(boolean initialLevel, long windowNanos) {
        this.windowNanos = windowNanos;
        this.settled = initialLevel;
        this.raw = initialLevel;
    }

    /** Records a raw edge seen at {@code nanoTime}; returns when {@link #settle} should next be called. */
    public synchronized long edge(boolean level, long nanoTime) {
        raw = level;
        lastEdgeNanos = nanoTime;
        return nanoTime + windowNanos;
    }

    /** The new settled level if the raw level has held for the window and differs from the last settled one. */
    public synchronized Optional<Boolean> settle(long nanoTime) {
        if (nanoTime - lastEdgeNanos < windowNanos || raw == settled) {
            return Optional.empty();
        }
        settled = raw;
        return Optional.of(settled);
    }

    public synchronized boolean settledLevel() {
        return settled;
    }
}
