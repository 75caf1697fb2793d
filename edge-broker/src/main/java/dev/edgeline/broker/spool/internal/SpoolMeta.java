package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code spool.meta}: what a reader in another process needs to know about the spool: the device it belongs to and
 * the lanes in priority order (highest first). Written atomically by the writer at open.
 *
 * <pre>
 * device=pi-0042
 * lanes=alarm,telemetry,bulk
 * </pre>
 */
public record SpoolMeta(String device, List<String> lanes) {
    public static final String FILE = "spool.meta";

    public void write(Path directory) throws IOException {
        String text = "device=" + device + "\nlanes=" + String.join(",", lanes) + "\n";
        AtomicFiles.write(directory.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    public static SpoolMeta read(Path directory) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(directory.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(directory + " is not a spool (no " + FILE + "); has the broker ever run on it?", e);
        }
        String device = null;
        List<String> lanes = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("device=")) {
                device = line.substring("device=".length());
            } else if (line.startsWith("lanes=")) {
                lanes.addAll(Arrays.asList(line.substring("lanes=".length()).split(",")));
            }
        }
        if (device == null || lanes.isEmpty()) {
            throw new IOException(directory.resolve(FILE) + " is damaged: " + lines);
        }
        return new SpoolMeta(device, List.copyOf(lanes));
    }
}
