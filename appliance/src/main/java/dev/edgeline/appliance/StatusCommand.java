package dev.edgeline.appliance;

import dev.edgeline.broker.spool.SpoolInspector;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/edge status --config FILE}: the spool backlog per lane (bytes not yet forwarded, age of the oldest
 * record waiting) and what the bridge last reported (state, rate, estimated time to drain, last error). Read-only.
 */
final class StatusCommand {
    private final PrintStream out;
    private final PrintStream err;

    StatusCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        DeviceConfig config = ServiceRunner.configFrom(args, err);
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        Path spool = config.spool().directory();
        try {
            SpoolInspector.View view = SpoolInspector.inspect(spool, "bridge");
            out.println("device " + view.device() + ", spool " + spool + " (id " + view.spoolId() + ")");
            out.printf(Locale.ROOT, "%-12s %14s %16s%n", "lane", "backlog", "oldest waiting");
            long now = System.currentTimeMillis();
            for (SpoolInspector.LaneView lane : view.lanes()) {
                String age = lane.oldestUnreadReceivedAtMillis().isPresent()
                        ? human(Duration.ofMillis(now - lane.oldestUnreadReceivedAtMillis().getAsLong())) : "-";
                out.printf(Locale.ROOT, "%-12s %14s %16s%n", lane.lane(), bytes(lane.backlogBytes()), age);
            }
            try {
                out.println("bridge: " + Files.readString(spool.resolve(BridgeStatusFile.FILE), StandardCharsets.UTF_8)
                        .trim());
            } catch (NoSuchFileException e) {
                out.println("bridge: no status reported yet (is edge-broker or edge-bridge running?)");
            }
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("edge status: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    private static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String human(Duration age) {
        if (age.toSeconds() < 120) {
            return age.toSeconds() + " s";
        }
        if (age.toMinutes() < 120) {
            return age.toMinutes() + " min";
        }
        return age.toHours() + " h";
    }
}
