package dev.edgeline.broker.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.RecordEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's own health stream ({@value RecordEnvelope#BROKER_HEALTH_STREAM} on
 * {@code edge/<device>/broker-health}): events an operator or analyst must see in Kafka, such as a refused identity
 * jump. Each event is a JSON record appended to the spool like any reading (boot = the broker's, seq assigned), so it
 * reaches Kafka through the same route. The same event for the same subject is written at most once a minute; the
 * next one says how many were suppressed meanwhile. Each written event is logged at WARN as well. Thread-safe.
 */
public final class BrokerHealth {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerHealth.class);
    static final Duration REPEAT_INTERVAL = Duration.ofMinutes(1);

    private final Spool spool;
    private final BridgeConfig routes;
    private final String device;
    private final long boot;
    private final InstantSource clock;
    private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

    public BrokerHealth(Spool spool, BridgeConfig routes, String device, long boot, InstantSource clock) {
        this.spool = spool;
        this.routes = routes;
        this.device = device;
        this.boot = boot;
        this.clock = clock;
    }

    /** Reports an event; {@code fields} are string values, written in order after {@code event}. */
    public void report(String event, String subject, String... fields) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("event", event);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            json.put(fields[i], fields[i + 1]);
        }
        String key = event + "|" + subject;
        long now = clock.millis();
        Long last = lastWritten.get(key);
        if (last != null && now - last < REPEAT_INTERVAL.toMillis()) {
            suppressed.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            return;
        }
        lastWritten.put(key, now);
        AtomicLong skipped = suppressed.remove(key);
        json.put("suppressed_since_last", skipped == null ? 0 : skipped.get());
        LOG.warn("health: {}", json);
        String topic = RecordEnvelope.readingTopic(device, RecordEnvelope.BROKER_HEALTH_STREAM);
        var route = routes.routeFor(topic);
        if (route.isEmpty()) {
            LOG.warn("health stream {} has no kafka route; the event above stays in this log only", topic);
            return;
        }
        spool.append(route.get().lane(), new SpoolRecord(device, RecordEnvelope.BROKER_HEALTH_STREAM, boot,
                SpoolRecord.ASSIGN_SEQ, topic, false, now, json.toString().getBytes(StandardCharsets.UTF_8)))
                .whenComplete((outcome, error) -> {
                    if (error != null) {
                        LOG.warn("could not spool a health record: {}", error.getMessage());
                    }
                });
    }
}
