package dev.edgeline.appliance;

import dev.edgeline.bridge.CloudBridge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the bridge's status as one line of JSON to {@code <spool>/bridge.status} every few seconds (atomic rename,
 * no fsync: it is a report, not state), for {@code bin/edge status}. Thread: {@code bridge-status}.
 */
final class BridgeStatusFile implements AutoCloseable {
    static final String FILE = "bridge.status";
    private static final Logger LOG = LoggerFactory.getLogger(BridgeStatusFile.class);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().name("bridge-status").daemon().unstarted(runnable));

    BridgeStatusFile(CloudBridge bridge, Path spoolDirectory) {
        Path file = spoolDirectory.resolve(FILE);
        Path temp = spoolDirectory.resolve(FILE + ".tmp");
        executor.scheduleWithFixedDelay(() -> {
            try {
                Files.writeString(temp, bridge.status().toJson() + "\n", StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not write {}: {}", file, e.toString());
            }
        }, 0, 5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
