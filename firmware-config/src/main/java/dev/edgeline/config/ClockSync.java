package dev.edgeline.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the system wall clock is synchronised (a Pi has no battery-backed clock, so until NTP has run the wall
 * clock may be years off). Reads the marker file systemd-timesyncd creates once it has synchronised
 * ({@code /run/systemd/timesync/synchronized}); chrony users get the same with the marker created by the
 * provisioning role. Thread-safe.
 */
public final class ClockSync {
    public static final Path TIMESYNCD_MARKER = Path.of("/run/systemd/timesync/synchronized");
    private final Path marker;

    public ClockSync(Path marker) {
        this.marker = marker;
    }

    public static ClockSync system() {
        return new ClockSync(TIMESYNCD_MARKER);
    }

    public boolean isSynchronized() {
        return Files.exists(marker);
    }
}
