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
 * {@code spool.meta}: what a reader in another process needs to know about the spool: its identity (a random id made
 * when the spool is created, so that positions stored elsewhere, such as the bridge's Kafka checkpoint, are never
 * applied to another spool), the device it belongs to and the lanes in priority order (highest first). Written
 * atomically by the writer at open.
 *
 * <pre>
 * id=6f1c2e0a-...
 * device=pi-0042
 * lanes=alarm,telemetry,bulk
 * </pre>
 */
public record SpoolMeta(String id, String device, List<String> lanes) {
    public static final String FILE = "spool.meta";

    public void write(Path directory) throws IOException {
        String text = "id=" + id + "\ndevice=" + device + "\nlanes=" + String.join(",", lanes) + "\n";
        AtomicFiles.write(directory.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    public static SpoolMeta read(Path directory) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(directory.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(directory + " is not a spool (no " + FILE + "); has the broker ever run on it?", e);
        }
        String id = null;
        String device = null;
        List<String> lanes = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("id=")) {
                id = line.substring("id=".length());
            } else if (line.startsWith("device=")) {
                device = line.substring("device=".length());
            } else if (line.startsWith("lanes=")) {
                lanes.addAll(Arrays.asList(line.substring("lanes=".length()).split(",")));
            }
        }
        if (id == null || device == null || lanes.isEmpty()) {
            throw new IOException(directory.resolve(FILE) + " is damaged: " + lines);
        }
        return new SpoolMeta(id, device, List.copyOf(lanes));
    }
}
