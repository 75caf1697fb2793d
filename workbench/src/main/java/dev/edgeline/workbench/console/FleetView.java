package dev.edgeline.workbench.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.appliance.analyst.AgentDeclarations;
import dev.edgeline.appliance.analyst.DesiredStateReport;
import dev.edgeline.appliance.analyst.GapMarkerIndex;
import dev.edgeline.appliance.analyst.StreamAudit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
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
    private final Map<String, DesiredStateReport> desiredStates = new TreeMap<>(); // device -> desired vs reported
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

    /** A record of {@code device}'s desired-state topic ({@code value} null: a tombstone). */
    synchronized void desiredRecord(String device, long offset, String key, byte[] value) {
        desiredStates.computeIfAbsent(device, d -> new DesiredStateReport()).desiredRecord(offset, key, value);
    }

    /** A command result of {@code device} (only its {@code desired-*} ones matter here). */
    synchronized void commandResult(String device, String commandId, byte[] value) {
        if (commandId != null && commandId.startsWith("desired-")) {
            desiredStates.computeIfAbsent(device, d -> new DesiredStateReport()).result(commandId, value);
        }
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
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("generated_at", nowMillis).put("records", records)
                .put("foreign_records", foreign).put("gap_markers", gaps.markers()).put("reader_error", readerError);
        topics.forEach(json.putArray("topics")::add);
        ArrayNode devices = json.putArray("devices");
        String device = null;
        ArrayNode deviceStreams = null;
        for (StreamView view : streams.values()) {
            if (!view.device.equals(device)) {
                device = view.device;
                deviceStreams = devices.addObject().put("device", device).putArray("streams");
            }
            addStream(deviceStreams.addObject(), view, nowMillis);
        }
        ArrayNode desired = json.putArray("desired_state");
        desiredStates.forEach((name, report) -> {
            DesiredStateReport.Verdict verdict = report.verdict();
            ObjectNode row = desired.addObject().put("device", name).put("verdict", verdict.state())
                    .put("detail", verdict.detail()).put("desired_up_to", report.desiredUpTo());
            ObjectNode wanted = row.putObject("desired");
            report.desired().forEach(wanted::set);
            JsonNode reported = report.reported();
            row.put("reported_id", reported == null ? "" : reported.path("command_id").asText());
            row.set("applied", reported == null ? NullNode.getInstance() : reported.path("response").path("applied"));
        });
        return json.toString();
    }

    private void addStream(ObjectNode json, StreamView view, long nowMillis) {
        List<StreamAudit.Hole> holes = view.audit.holes();
        List<StreamAudit.Hole> unexplained = view.audit.unexplained(gaps.lossesOf(view.device + "/" + view.stream));
        long missing = holes.stream().mapToLong(StreamAudit.Hole::size).sum();
        long unexplainedRecords = unexplained.stream().mapToLong(StreamAudit.Hole::size).sum();
        json.put("stream", view.stream).put("topic", view.topic).put("records", view.audit.records())
                .put("duplicates", view.audit.duplicates()).put("out_of_order", view.audit.outOfOrder())
                .put("last_boot", view.lastBoot).put("last_seq", view.lastSeq);
        json.set("last_value", view.lastValue == null ? NullNode.getInstance() : number(view.lastValue));
        json.put("last_payload", view.lastPayload).put("last_time", view.lastTimeMillis)
                .put("behind_ms", Math.max(0, nowMillis - view.lastTimeMillis));
        json.set("rate", number(view.rate(nowMillis)));
        json.put("missing_records", missing).put("explained_records", missing - unexplainedRecords)
                .put("unexplained_records", unexplainedRecords);
        ArrayNode unexplainedRanges = json.putArray("unexplained");
        for (int i = 0; i < unexplained.size() && i < 20; i++) {
            unexplainedRanges.addArray().add(unexplained.get(i).first()).add(unexplained.get(i).last());
        }
        ArrayNode points = json.putArray("points");
        for (double[] point : view.points()) {
            points.addArray().add((long) point[0]).add(number(point[1]));
        }
    }

    /** A whole number as an integer, other values to four decimals, NaN and infinities as null. */
    private static JsonNode number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return NullNode.getInstance();
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return LongNode.valueOf((long) value);
        }
        return DecimalNode.valueOf(BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_EVEN));
    }
}
