package dev.edgeline.workbench.console;

import dev.edgeline.appliance.analyst.StreamAudit;
import java.util.ArrayDeque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the console knows of one stream from Kafka: its audit (records, duplicates, out of order, holes), the last
 * record (seq, boot, payload, value, time), the recent numeric values for its chart and the arrival times of the last
 * ten seconds for its rate. Bounded: the audit grows with holes only, the chart and rate windows are capped. Guarded
 * by {@link FleetView}'s lock.
 */
final class StreamView {
    static final int CHART_POINTS = 240;
    static final long RATE_WINDOW_MILLIS = 10_000;
    private static final int RATE_SAMPLES_MAX = 100_000;
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)");

    final String device;
    final String stream;
    final String topic;
    final StreamAudit audit = new StreamAudit();
    private final ArrayDeque<double[]> points = new ArrayDeque<>(); // {time millis, value}
    private final ArrayDeque<Long> recentArrivals = new ArrayDeque<>();
    long lastBoot;
    long lastSeq = -1;
    String lastPayload = "";
    Double lastValue;
    long lastTimeMillis;

    StreamView(String device, String stream, String topic) {
        this.device = device;
        this.stream = stream;
        this.topic = topic;
    }

    /** One record, in partition order: {@code timeMillis} is when the edge broker received it (Kafka timestamp). */
    void add(long boot, long seq, long timeMillis, String payload) {
        audit.add(boot, seq);
        if (boot > lastBoot || (boot == lastBoot && seq > lastSeq)) {
            lastBoot = boot;
            lastSeq = seq;
            lastPayload = payload.length() > 200 ? payload.substring(0, 200) + "…" : payload;
            lastTimeMillis = Math.max(lastTimeMillis, timeMillis);
            lastValue = valueOf(payload);
            if (lastValue != null) {
                points.addLast(new double[] {timeMillis, lastValue});
                if (points.size() > CHART_POINTS) {
                    points.removeFirst();
                }
            }
        }
        recentArrivals.addLast(timeMillis);
        if (recentArrivals.size() > RATE_SAMPLES_MAX) {
            recentArrivals.removeFirst();
        }
    }

    /** Records per second received by the edge in the last ten seconds before {@code nowMillis}. */
    double rate(long nowMillis) {
        while (!recentArrivals.isEmpty() && recentArrivals.peekFirst() < nowMillis - RATE_WINDOW_MILLIS) {
            recentArrivals.removeFirst();
        }
        long inWindow = recentArrivals.stream().filter(t -> t <= nowMillis).count();
        return inWindow * 1000.0 / RATE_WINDOW_MILLIS;
    }

    List<double[]> points() {
        return List.copyOf(points);
    }

    private static Double valueOf(String payload) {
        Matcher m = VALUE.matcher(payload.length() > 512 ? payload.substring(0, 512) : payload);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }
}
