package dev.edgeline.workbench.console;

import dev.edgeline.appliance.analyst.AgentDeclarations;
import dev.edgeline.appliance.analyst.GapMarkerIndex;
import dev.edgeline.appliance.analyst.StreamAudit;
import dev.edgeline.config.JsonStrings;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The console's model: every stream seen in Kafka, by device, and the gap markers that explain holes. Written by
 * {@link FleetReader}'s thread, read by the HTTP threads as one JSON snapshot ({@link #toJson}). Thread-safe (one
 * lock; a snapshot of a thousand streams takes a few milliseconds).
 */
final class FleetView {
    private final Map<String, StreamView> streams = new TreeMap<>(); // "device/stream" -> view
    private final GapMarkerIndex gaps = new GapMarkerIndex();
    private final TreeSet<String> topics = new TreeSet<>();
    private long records;
    private long foreign;
    private String readerError = "";

    synchronized void record(String topic, String device, String stream, long boot, long seq, long timeMillis,
                             String payload) {
        records++;
        streams.computeIfAbsent(device + "/" + stream, k -> new StreamView(device, stream, topic))
                .add(boot, seq, timeMillis, payload);
        if (AgentDeclarations.declaresSkippedSeq(payload)) {
            gaps.addDeclaration(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** A record without our identity headers (not written by an edgeline bridge): counted, not shown. */
    synchronized void foreignRecord() {
        foreign++;
    }

    synchronized void gapMarker(byte[] payload) {
        gaps.add(payload);
    }

    synchronized void topics(List<String> reading) {
        topics.clear();
        topics.addAll(reading);
    }

    synchronized void readerError(String error) {
        readerError = error;
    }

    /** Everything the page shows, as JSON (see {@code index.html} for its use). */
    synchronized String toJson(long nowMillis) {
        StringBuilder json = new StringBuilder(4096);
        json.append("{\"generated_at\":").append(nowMillis).append(",\"records\":").append(records)
                .append(",\"foreign_records\":").append(foreign).append(",\"gap_markers\":").append(gaps.markers())
                .append(",\"reader_error\":").append(JsonStrings.quote(readerError)).append(",\"topics\":[");
        appendStrings(json, topics);
        json.append("],\"devices\":[");
        String device = null;
        boolean firstStream = true;
        for (StreamView view : streams.values()) {
            if (!view.device.equals(device)) {
                json.append(device == null ? "" : "]},").append("{\"device\":").append(JsonStrings.quote(view.device))
                        .append(",\"streams\":[");
                device = view.device;
                firstStream = true;
            }
            json.append(firstStream ? "" : ",");
            firstStream = false;
            appendStream(json, view, nowMillis);
        }
        json.append(device == null ? "" : "]}").append("]}");
        return json.toString();
    }

    private void appendStream(StringBuilder json, StreamView view, long nowMillis) {
        List<StreamAudit.Hole> holes = view.audit.holes();
        List<StreamAudit.Hole> unexplained = view.audit.unexplained(gaps.lossesOf(view.device + "/" + view.stream));
        long missing = holes.stream().mapToLong(StreamAudit.Hole::size).sum();
        long unexplainedRecords = unexplained.stream().mapToLong(StreamAudit.Hole::size).sum();
        json.append("{\"stream\":").append(JsonStrings.quote(view.stream))
                .append(",\"topic\":").append(JsonStrings.quote(view.topic))
                .append(",\"records\":").append(view.audit.records())
                .append(",\"duplicates\":").append(view.audit.duplicates())
                .append(",\"out_of_order\":").append(view.audit.outOfOrder())
                .append(",\"last_boot\":").append(view.lastBoot).append(",\"last_seq\":").append(view.lastSeq)
                .append(",\"last_value\":").append(view.lastValue == null ? "null" : number(view.lastValue))
                .append(",\"last_payload\":").append(JsonStrings.quote(view.lastPayload))
                .append(",\"last_time\":").append(view.lastTimeMillis)
                .append(",\"behind_ms\":").append(Math.max(0, nowMillis - view.lastTimeMillis))
                .append(",\"rate\":").append(number(view.rate(nowMillis)))
                .append(",\"missing_records\":").append(missing)
                .append(",\"explained_records\":").append(missing - unexplainedRecords)
                .append(",\"unexplained_records\":").append(unexplainedRecords)
                .append(",\"unexplained\":[");
        for (int i = 0; i < unexplained.size() && i < 20; i++) {
            json.append(i == 0 ? "" : ",").append('[').append(unexplained.get(i).first()).append(',')
                    .append(unexplained.get(i).last()).append(']');
        }
        json.append("],\"points\":[");
        List<double[]> points = view.points();
        for (int i = 0; i < points.size(); i++) {
            json.append(i == 0 ? "" : ",").append('[').append((long) points.get(i)[0]).append(',')
                    .append(number(points.get(i)[1])).append(']');
        }
        json.append("]}");
    }

    private static void appendStrings(StringBuilder json, Iterable<String> values) {
        boolean first = true;
        for (String value : values) {
            json.append(first ? "" : ",").append(JsonStrings.quote(value));
            first = false;
        }
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.4f", value);
    }
}
