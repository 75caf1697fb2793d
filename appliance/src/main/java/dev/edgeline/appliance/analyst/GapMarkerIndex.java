package dev.edgeline.appliance.analyst;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ranges of seq numbers that gap markers (the spool's and the bridge's, in the gap topic) declare lost, per
 * stream. Reads the marker's own JSON format: a {@code "streams"} list of
 * {@code {"device":...,"stream":...,"boot":B,"first_seq":F,"last_seq":L,"records":N}}. Not thread-safe.
 */
public final class GapMarkerIndex {
    private static final Pattern STREAM_LOSS = Pattern.compile("\\{\"device\":\"((?:[^\"\\\\]|\\\\.)*)\","
            + "\"stream\":\"((?:[^\"\\\\]|\\\\.)*)\",\"boot\":(-?\\d+),\"first_seq\":(-?\\d+),\"last_seq\":(-?\\d+),"
            + "\"records\":(\\d+)}");
    private static final Pattern REASON = Pattern.compile("\"reason\":\"([a-z-]+)\"");

    private final Map<String, List<StreamAudit.Hole>> byStream = new HashMap<>();
    private final Map<String, Long> markersByReason = new HashMap<>();
    private long markers;
    private long declarations;

    /** Adds one gap marker's payload. */
    public void add(byte[] payload) {
        String json = new String(payload, StandardCharsets.UTF_8);
        markers++;
        Matcher reason = REASON.matcher(json);
        markersByReason.merge(reason.find() ? reason.group(1) : "unknown", 1L, Long::sum);
        addLosses(json);
    }

    /** Adds the losses an agent declared itself ({@link AgentDeclarations}), counted apart from the gap markers. */
    public void addDeclaration(byte[] payload) {
        declarations++;
        addLosses(new String(payload, StandardCharsets.UTF_8));
    }

    /** The agents' own declarations of skipped seq numbers read so far. */
    public long declarations() {
        return declarations;
    }

    private void addLosses(String json) {
        Matcher loss = STREAM_LOSS.matcher(json);
        while (loss.find()) {
            String key = unescape(loss.group(1)) + "/" + unescape(loss.group(2));
            byStream.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new StreamAudit.Hole(Long.parseLong(loss.group(4)), Long.parseLong(loss.group(5))));
        }
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

    private static String unescape(String text) {
        return text.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
