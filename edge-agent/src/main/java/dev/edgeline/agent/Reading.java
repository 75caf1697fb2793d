package dev.edgeline.agent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * One record the agent publishes, with its identity: a sensor value, an edge event or a health record. Its JSON
 * payload is fixed when it is made, so what is buffered on disk is exactly what is sent.
 *
 * @param device      device id
 * @param stream      stream name (topic {@code edge/<device>/<stream>})
 * @param boot        agent boot number
 * @param seq         sequence number in the stream
 * @param clockSynced whether the wall clock was synchronised when it was made
 * @param json        the MQTT payload
 */
public record Reading(String device, String stream, long boot, long seq, boolean clockSynced, String json) {

    /**
     * A value: {@code {"value":21.5,"unit":"°C","ts":"2026-11-22T10:00:00.123Z","mono_ms":81234567,
     * "clock_synced":true}}, plus {@code "event":"edge"} for a debounced edge.
     */
    public static Reading value(String device, String stream, long boot, long seq, double value, String unit,
                                boolean event, Instant takenAt, long monotonicMillis, boolean clockSynced) {
        String json = "{\"value\":" + number(value) + ",\"unit\":\"" + escape(unit) + "\""
                + (event ? ",\"event\":\"edge\"" : "") + common(takenAt, monotonicMillis, clockSynced) + "}";
        return new Reading(device, stream, boot, seq, clockSynced, json);
    }

    /** A health record; {@code fieldsJson} is the body's own fields, e.g. {@code "sensor":"env","state":"failing"}. */
    public static Reading health(String device, String stream, long boot, long seq, String fieldsJson,
                                 Instant takenAt, long monotonicMillis, boolean clockSynced) {
        return new Reading(device, stream, boot, seq, clockSynced,
                "{" + fieldsJson + common(takenAt, monotonicMillis, clockSynced) + "}");
    }

    public byte[] payload() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    public String toJson() {
        return json;
    }

    private static String common(Instant takenAt, long monotonicMillis, boolean clockSynced) {
        return ",\"ts\":\"" + takenAt + "\",\"mono_ms\":" + monotonicMillis + ",\"clock_synced\":" + clockSynced;
    }

    /** A JSON number: integers plainly, others with up to 4 decimals. */
    public static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Escapes a string for a JSON string literal. */
    public static String escape(String s) {
        return dev.edgeline.config.JsonStrings.escape(s);
    }
}
