package dev.edgeline.time;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff: the n-th delay is {@code initial × 2^(n-1)}, at most {@code max}, optionally jittered.
 * The one backoff of the project: the bridge's retries, the agent's reconnects and a failing sensor's retries. Not
 * thread-safe; owned by the retrying loop.
 */
public final class Backoff {
    /** How a delay is spread. */
    public enum Jitter {
        /** Exactly the capped exponential delay (a sensor's retries stay on its sampling grid). */
        NONE,
        /**
         * Uniform in {@code [delay/2, delay]} ("equal jitter"): clients that failed together spread out, and none
         * retries sooner than half the delay.
         */
        EQUAL
    }

    private final long initialNanos;
    private final long maxNanos;
    private final Jitter jitter;
    private final RandomGenerator random;
    private long attempts;

    public Backoff(Duration initial, Duration max, Jitter jitter, RandomGenerator random) {
        this.initialNanos = Math.max(1, initial.toNanos());
        this.maxNanos = Math.max(initialNanos, max.toNanos());
        this.jitter = jitter;
        this.random = random;
    }

    /** A backoff without jitter. */
    public static Backoff exact(Duration initial, Duration max) {
        return new Backoff(initial, max, Jitter.NONE, RandomGenerator.getDefault());
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    public Duration next() {
        long delay = initialNanos;
        for (long i = 0; i < attempts && delay < maxNanos; i++) {
            delay = delay > maxNanos / 2 ? maxNanos : delay * 2;
        }
        attempts++;
        return Duration.ofNanos(switch (jitter) {
            case NONE -> delay;
            case EQUAL -> delay / 2 + random.nextLong(delay - delay / 2 + 1);
        });
    }

    /** Failed attempts since the last {@link #reset()}. */
    public long attempts() {
        return attempts;
    }

    /** After a success: the next delay is the initial one again. */
    public void reset() {
        attempts = 0;
    }
}
