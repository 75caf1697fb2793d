package dev.edgeline.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Milliseconds since the device booted, from a monotonic clock: unaffected by the wall clock jumping when NTP first
 * synchronises a Pi (which has no battery-backed clock). Anchored once to {@code /proc/uptime}, then advanced with
 * {@link System#nanoTime()}. Where {@code /proc/uptime} is missing, counts from the agent's start instead.
 */
public final class MonotonicClock {
    private final long originNanos;
    private final long originMillis;

    public MonotonicClock(Path uptimeFile) {
        this.originNanos = System.nanoTime();
        this.originMillis = readUptimeMillis(uptimeFile);
    }

    public static MonotonicClock system() {
        return new MonotonicClock(Path.of("/proc/uptime"));
    }

    public long millisSinceBoot() {
        return originMillis + (System.nanoTime() - originNanos) / 1_000_000;
    }

    private static long readUptimeMillis(Path file) {
        try {
            String first = Files.readString(file).trim().split("\\s+")[0];
            return (long) (Double.parseDouble(first) * 1000);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
