package dev.edgeline.bridge.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The device's desired state against what its agent reported, for {@code bin/edge status}, which never talks to
 * Kafka: one JSON object in {@value #NAME} beside the queue, rewritten with {@link CommandStatusFile}:
 * {@code desired_id} (the {@code desired-<offset>} last handed to the agent, null when the desired-state topic is
 * not read or not read up to its end yet), {@code desired} (that document), {@code reported} (the result of the last
 * desired-state command the agent answered, as written to the results topic; null when none is remembered) and
 * {@code reported_at} (when this file was written). Temporary file and rename, no fsync: a report, not state.
 */
public final class DesiredStatusFile {
    public static final String NAME = "desired.status";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DesiredStatusFile() {}

    /** @param desired null when the desired-state topic is not read */
    static void write(Path directory, String device, DesiredState desired, Optional<CommandResult> reported,
                      long nowMillis, String logPrefix) {
        ObjectNode json = JSON.createObjectNode();
        String offeredId = desired == null ? null : desired.offeredId();
        json.put("desired_id", offeredId);
        if (offeredId != null) {
            json.set("desired", desired.offeredDocument());
        } else {
            json.putNull("desired");
        }
        if (reported.isPresent()) {
            json.set("reported", CommandRecords.resultJson(device, reported.get()));
        } else {
            json.putNull("reported");
        }
        json.put("topic_read", desired != null);
        json.put("reported_at", nowMillis);
        byte[] content;
        try {
            content = JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
        CommandStatusFile.replace(directory, NAME, content, logPrefix);
    }
}
