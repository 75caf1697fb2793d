package dev.edgeline.bridge.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Capped exponential backoff with full jitter. Not thread-safe; owned by the retrying loop. */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.random = random;
    }

    /** The next delay: uniform in [cap/2, cap] where cap doubles per attempt up to the maximum. */
    public Duration next() {
        long cap = Math.min(maxMillis, initialMillis << Math.min(attempt, 30));
        attempt++;
        return Duration.ofMillis(cap / 2 + random.nextLong(cap / 2 + 1));
    }

    public void reset() {
        attempt = 0;
    }
}
