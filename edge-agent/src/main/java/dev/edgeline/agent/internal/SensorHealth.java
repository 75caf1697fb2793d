package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the agent's health as records on the health stream (and in the log): a sensor failing (every failed
 * attempt, which backoff keeps rare), a sensor recovering, and readings dropped because the outbox was full.
 * Payloads, besides {@code ts}, {@code mono_ms} and {@code clock_synced}:
 * <pre>
 * {"sensor":"env","type":"bme280","state":"failing","error":"...","consecutive_failures":3,"retry_in_ms":400}
 * {"sensor":"env","type":"bme280","state":"recovered","failed_attempts":3}
 * {"state":"outbox-overflow","dropped":4096,"streams":{"env-temperature":{"first_seq":10,"last_seq":4105,"count":4096}}}
 * </pre>
 * Thread-safe.
 */
public final class SensorHealth {
    private static final Logger LOG = LoggerFactory.getLogger(SensorHealth.class);

    private final ReadingFactory readings;
    private final String stream;
    private final Consumer<Reading> sink;

    public SensorHealth(ReadingFactory readings, String stream, Consumer<Reading> sink) {
        this.readings = readings;
        this.stream = stream;
        this.sink = sink;
    }

    public void failed(SensorConfig sensor, Exception error, long consecutiveFailures, Duration retryIn) {
        if (consecutiveFailures == 1) {
            LOG.warn("[Agent device={}] sensor {} ({}) failed: {}; retrying with backoff", readings.deviceId(),
                    sensor.stream(), sensor.type(), error.toString());
        } else {
            LOG.debug("[Agent device={}] sensor {} failed again ({} in a row): {}", readings.deviceId(),
                    sensor.stream(), consecutiveFailures, error.toString());
        }
        publish(sensorFields(sensor, "failing") + ",\"error\":\"" + Reading.escape(String.valueOf(error.getMessage()))
                + "\",\"consecutive_failures\":" + consecutiveFailures + ",\"retry_in_ms\":" + retryIn.toMillis());
    }

    public void recovered(SensorConfig sensor, long failedAttempts) {
        LOG.info("[Agent device={}] sensor {} ({}) recovered after {} failed attempt(s)", readings.deviceId(),
                sensor.stream(), sensor.type(), failedAttempts);
        publish(sensorFields(sensor, "recovered") + ",\"failed_attempts\":" + failedAttempts);
    }

    /** Readings the outbox dropped: per stream, first and last seq and how many. */
    public void outboxOverflow(long dropped, Map<String, long[]> firstLastCountByStream) {
        StringBuilder streams = new StringBuilder();
        firstLastCountByStream.forEach((name, range) -> streams.append(streams.isEmpty() ? "" : ",")
                .append('"').append(Reading.escape(name)).append("\":{\"first_seq\":").append(range[0])
                .append(",\"last_seq\":").append(range[1]).append(",\"count\":").append(range[2]).append('}'));
        LOG.warn("[Agent device={}] outbox full: dropped {} of the oldest unsent readings: {}", readings.deviceId(),
                dropped, streams);
        publish("\"state\":\"outbox-overflow\",\"dropped\":" + dropped + ",\"streams\":{" + streams + "}");
    }

    /**
     * Declares the seq ranges an unclean stop of the machine may have left without readings, in the gap markers'
     * per-stream format, so that an analyst's check ({@code bin/edge verify}) counts a hole inside them as explained:
     * {@code "state":"seq-skipped","reason":"unclean-stop","streams":[{"device","stream","boot","first_seq",
     * "last_seq","records"}...]}.
     */
    public Reading seqSkipped(Map<String, long[]> firstLastByStream) throws IOException {
        StringBuilder streams = new StringBuilder();
        firstLastByStream.forEach((name, range) -> streams.append(streams.isEmpty() ? "" : ",")
                .append("{\"device\":\"").append(Reading.escape(readings.deviceId())).append("\",\"stream\":\"")
                .append(Reading.escape(name)).append("\",\"boot\":").append(readings.boot())
                .append(",\"first_seq\":").append(range[0]).append(",\"last_seq\":").append(range[1])
                .append(",\"records\":").append(range[1] - range[0] + 1).append('}'));
        LOG.warn("[Agent device={}] the machine went down without stopping the agent; declaring the seq it may have "
                + "skipped: {}", readings.deviceId(), streams);
        return readings.health(stream, "\"state\":\"seq-skipped\",\"reason\":\"unclean-stop\",\"streams\":["
                + streams + "]");
    }

    private static String sensorFields(SensorConfig sensor, String state) {
        return "\"sensor\":\"" + sensor.stream() + "\",\"type\":\"" + sensor.type() + "\",\"state\":\"" + state + "\"";
    }

    private void publish(String fields) {
        try {
            sink.accept(readings.health(stream, fields));
        } catch (IOException e) {
            LOG.error("[Agent device={}] cannot number a health record: {}", readings.deviceId(), e.toString());
        }
    }
}
