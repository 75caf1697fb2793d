package dev.edgeline.appliance.analyst;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ranges of seq numbers that gap markers (the spool's and the bridge's, in the gap topic) declare lost, per
 * stream. Reads the marker's own JSON format: a {@code "streams"} list of
 * {@code {"device":...,"stream":...,"boot":B,"first_seq":F,"last_seq":L,"records":N}} (parsed with Jackson; such an
 * object anywhere in the payload counts, as in the agents' declarations). A payload that is not JSON counts as a
 * marker of reason {@code unreadable}. Not thread-safe.
 */
public final class GapMarkerIndex {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, List<StreamAudit.Hole>> byStream = new HashMap<>();
    private final Map<String, Long> markersByReason = new HashMap<>();
    private long markers;
    private long declarations;

    /** Adds one gap marker's payload. */
    public void add(byte[] payload) {
        markers++;
        JsonNode json = parse(payload);
        String reason = json == null ? "unreadable" : json.path("reason").asText("unknown");
        markersByReason.merge(reason, 1L, Long::sum);
        addLosses(json);
    }

    /** Adds the losses an agent declared itself ({@link AgentDeclarations}), counted apart from the gap markers. */
    public void addDeclaration(byte[] payload) {
        declarations++;
        addLosses(parse(payload));
    }

    /** The agents' own declarations of skipped seq numbers read so far. */
    public long declarations() {
        return declarations;
    }

    private static JsonNode parse(byte[] payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            return null;
        }
    }

    /** Every {device, stream, first_seq, last_seq} object in {@code node}, at any depth. */
    private void addLosses(JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isObject() && node.hasNonNull("device") && node.hasNonNull("stream") && node.has("first_seq")
                && node.has("last_seq")) {
            byStream.computeIfAbsent(node.get("device").asText() + "/" + node.get("stream").asText(),
                    k -> new ArrayList<>()).add(new StreamAudit.Hole(node.get("first_seq").asLong(),
                    node.get("last_seq").asLong()));
        }
        node.forEach(this::addLosses);
    }

    /** The declared losses of {@code device/stream}. */
    public List<StreamAudit.Hole> lossesOf(String deviceAndStream) {
        return byStream.getOrDefault(deviceAndStream, List.of());
    }

    public long markers() {
        return markers;
    }

    public Map<String, Long> markersByReason() {
        return Map.copyOf(markersByReason);
    }
}
