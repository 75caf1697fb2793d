package dev.edgeline.bridge.commands;

import dev.edgeline.config.JsonStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command bridge's report for {@code bin/edge status}: one line of JSON in {@value #NAME} beside the queue (state,
 * commands read since start, pending commands and bytes, results written since start and not yet in Kafka, when).
 * Temporary file and rename, no fsync: a report, not state.
 */
public final class CommandStatusFile {
    public static final String NAME = "commands.status";
    private static final Logger LOG = LoggerFactory.getLogger(CommandStatusFile.class);

    private CommandStatusFile() {}

    static void write(Path directory, String state, long received, int pending, long pendingBytes,
                      long resultsWritten, int resultsWaiting, long nowMillis, String logPrefix) {
        String json = "{\"state\":\"" + JsonStrings.escape(state) + "\",\"received\":" + received + ",\"pending\":"
                + pending + ",\"pending_bytes\":" + pendingBytes + ",\"results_written\":" + resultsWritten
                + ",\"results_waiting\":" + resultsWaiting + ",\"reported_at\":" + nowMillis + "}\n";
        replace(directory, NAME, json.getBytes(StandardCharsets.UTF_8), logPrefix);
    }

    /**
     * Replaces the report {@code name} in {@code directory} with {@code content}: a temporary file renamed over it, no
     * fsync (a report, not state); a failure is logged at debug and the next report tries again.
     */
    static void replace(Path directory, String name, byte[] content, String logPrefix) {
        Path file = directory.resolve(name);
        Path temp = directory.resolve(name + ".tmp");
        try {
            Files.write(temp, content);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.debug("{}could not write {}: {}", logPrefix, file, e.toString());
        }
    }
}
