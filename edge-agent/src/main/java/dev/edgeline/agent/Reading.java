package dev.edgeline.agent;

import java.time.Instant;
import java.util.Locale;

/**
 * One sensor reading with its identity, as published.
 *
 * @param device        device id
 * @param stream        stream (sensor) name
 * @param boot          agent boot number
 * @param seq           sequence number in the stream
 * @param value         the measured value (0/1 for digital inputs)
 * @param unit          unit of {@code value} ("" when none)
 * @param takenAt       wall-clock time of the sample
 * @param clockSynced   whether the wall clock was synchronised when the sample was taken
 */
public record Reading(String device, String stream, long boot, long seq, double value, String unit, Instant takenAt,
                      boolean clockSynced) {

    /** The MQTT payload: {@code {"value":21.5,"unit":"°C","ts":"2026-11-22T10:00:00.123Z","clock_synced":true}}. */
    public String toJson() {
        return "{\"value\":" + formatValue(value) + ",\"unit\":\"" + escape(unit) + "\",\"ts\":\"" + takenAt
                + "\",\"clock_synced\":" + clockSynced + "}";
    }

    private static String formatValue(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
