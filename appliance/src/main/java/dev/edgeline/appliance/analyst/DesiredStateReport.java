package dev.edgeline.appliance.analyst;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.config.CommandsConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One device's desired state against what its agent reported applying (docs/commands.md, "Desired state"): fed the
 * records of the device's compacted desired-state topic in offset order and its {@code desired-<offset>} results, it
 * says whether they agree. What {@code bin/edge command desired} prints and the console shows. Not thread-safe.
 */
public final class DesiredStateReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The comparison's outcome: {@code in sync}, {@code not applied}, {@code behind}, {@code rejected}, ... */
    public record Verdict(String state, String detail) {
        public boolean inSync() {
            return state.equals("in sync");
        }
    }

    private final Map<String, JsonNode> desired = new TreeMap<>();
    private long desiredUpTo = -1;
    private JsonNode reported;

    /** A record of the desired-state topic ({@code value} null: a tombstone). */
    public void desiredRecord(long offset, String key, byte[] value) {
        desiredUpTo = Math.max(desiredUpTo, offset);
        if (value == null) {
            desired.remove(key);
            return;
        }
        try {
            desired.put(key, JSON.readTree(value));
        } catch (IOException e) {
            desired.put(key, JSON.getNodeFactory().textNode("(not JSON)"));
        }
    }

    /**
     * The report the device itself can make, from its command bridge's {@code desired.status} (the document last
     * handed to the agent, and the agent's last desired-state result): what {@code bin/edge status} shows without
     * Kafka. A document newer than the last one the device read is not known there.
     */
    public static DesiredStateReport fromDeviceStatus(JsonNode status) {
        DesiredStateReport report = new DesiredStateReport();
        String id = status.path("desired_id").asText("");
        if (id.matches("desired-[0-9]{1,18}")) {
            report.desiredUpTo = Long.parseLong(id.substring("desired-".length()));
            status.path("desired").fields().forEachRemaining(e -> report.desired.put(e.getKey(), e.getValue()));
        }
        JsonNode reported = status.path("reported");
        report.reported = reported.isObject() ? reported : null;
        return report;
    }

    /** A result of this device; only {@code desired-*} ones are kept (the latest). */
    public void result(String commandId, byte[] value) {
        if (commandId == null || !commandId.startsWith("desired-")) {
            return;
        }
        try {
            reported = JSON.readTree(value);
        } catch (IOException e) {
            // not a result this release wrote: ignored
        }
    }

    public Map<String, JsonNode> desired() {
        return Map.copyOf(desired);
    }

    /** The offset of the desired topic's last record, -1 when it is empty. */
    public long desiredUpTo() {
        return desiredUpTo;
    }

    /** The latest {@code desired-*} result, or null. */
    public JsonNode reported() {
        return reported;
    }

    /** Whether the device takes {@code key} with this value (else it leaves it out, and says so in its log). */
    public static boolean takenByDevice(String key, JsonNode value) {
        return CommandsConfig.isDesiredStateKey(key) && value.isObject();
    }

    public Verdict verdict() {
        if (reported == null) {
            return desiredUpTo < 0 ? new Verdict("in sync", "nothing desired")
                    : new Verdict("not applied", "the device has not reported a desired state");
        }
        String id = reported.path("command_id").asText();
        String state = reported.path("state").asText();
        if (!id.equals("desired-" + desiredUpTo)) {
            return new Verdict("behind", "the device reported " + id + "; the desired state is at offset "
                    + desiredUpTo);
        }
        if (!state.equals("completed")) {
            return new Verdict(state, reported.path("reason").asText());
        }
        List<String> differences = differences();
        return differences.isEmpty() ? new Verdict("in sync", "") : new Verdict("differs",
                String.join("; ", differences));
    }

    /**
     * What the agent reported applying for {@code key} ({@code sensor/env}: the item of {@code sensors} named env, the
     * last one if it names it twice), or null: not reported, or nothing reported at all.
     */
    public JsonNode reportedEntry(String key) {
        String[] parts = key.split("/", 2);
        if (reported == null || parts.length < 2) {
            return null;
        }
        JsonNode match = null;
        for (JsonNode node : reported.path("response").path("applied").path(parts[0] + "s")) {
            if (node.path(parts[0]).asText().equals(parts[1])) {
                match = node;
            }
        }
        return match;
    }

    /** Where what the agent applied is not what is desired (a value it was not asked for is no difference). */
    private List<String> differences() {
        List<String> differences = new ArrayList<>();
        desired.forEach((key, value) -> {
            if (!takenByDevice(key, value)) {
                return;
            }
            JsonNode match = reportedEntry(key);
            if (match == null) {
                differences.add(key + " not reported");
                return;
            }
            JsonNode reportedNode = match;
            value.fields().forEachRemaining(field -> {
                if (!field.getValue().asText().equals(reportedNode.path(field.getKey()).asText())) {
                    differences.add(key + " " + field.getKey() + " desired " + field.getValue().asText()
                            + ", reported " + reportedNode.path(field.getKey()).asText());
                }
            });
        });
        return differences;
    }
}
