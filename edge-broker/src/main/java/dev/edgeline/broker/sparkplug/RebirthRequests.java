package dev.edgeline.broker.sparkplug;

import java.io.IOException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an edge node for a new birth, as a Sparkplug host application does when it cannot make sense of the node's
 * messages (data before a birth, a message missing): an NCMD on {@code spBv1.0/<group>/NCMD/<edge node>} whose
 * metric {@code Node Control/Rebirth} is {@code true}, QoS 0. At most one per node every
 * {@link #INTERVAL_NANOS} (a node sends many messages before its birth arrives). Thread-safe.
 */
public final class RebirthRequests {
    private static final Logger LOG = LoggerFactory.getLogger(RebirthRequests.class);
    static final long INTERVAL_NANOS = 5_000_000_000L;
    private final BiConsumer<String, byte[]> publisher;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastRequest = new ConcurrentHashMap<>();

    /** @param publisher publishes a payload on a topic, QoS 0 (HiveMQ's publish service) */
    public RebirthRequests(BiConsumer<String, byte[]> publisher, LongSupplier nanoTime) {
        this.publisher = publisher;
        this.nanoTime = nanoTime;
    }

    /** Requests a rebirth of the edge node of {@code topic}, unless one was requested in the last interval. */
    public void request(SparkplugTopic topic) {
        long now = nanoTime.getAsLong();
        Long last = lastRequest.get(topic.nodeKey());
        if (last != null && now - last < INTERVAL_NANOS) {
            return;
        }
        lastRequest.put(topic.nodeKey(), now);
        try {
            publisher.accept(SparkplugTopic.nodeCommandTopic(topic.group(), topic.edgeNode()), payload());
            LOG.info("asked Sparkplug edge node {} for a rebirth (NCMD Node Control/Rebirth)", topic.nodeKey());
        } catch (RuntimeException | IOException e) {
            LOG.warn("cannot ask Sparkplug edge node {} for a rebirth: {}", topic.nodeKey(), e.toString());
        }
    }

    /** The NCMD payload: one Boolean metric {@code Node Control/Rebirth = true}. */
    static byte[] payload() throws IOException {
        try {
            Metric rebirth = new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean, true)
                    .createMetric();
            return new SparkplugBPayloadEncoder().getBytes(new SparkplugBPayload(new Date(), List.of(rebirth)), false);
        } catch (org.eclipse.tahu.SparkplugInvalidTypeException e) {
            throw new IOException(e);
        }
    }
}
