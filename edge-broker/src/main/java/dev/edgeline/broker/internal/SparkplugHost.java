package dev.edgeline.broker.internal;

import dev.edgeline.broker.sparkplug.RebirthRequests;
import dev.edgeline.broker.sparkplug.SparkplugIngest;
import dev.edgeline.broker.sparkplug.SparkplugTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker as a Sparkplug B host application for the edge nodes that publish to it: {@link SparkplugIngest}
 * turns their messages into records, {@link RebirthRequests} asks a node for a rebirth when the ingest says so.
 * Thread-safe.
 */
public final class SparkplugHost {
    private static final Logger LOG = LoggerFactory.getLogger(SparkplugHost.class);
    private final SparkplugIngest ingest;
    private final RebirthRequests rebirths;
    private final long boot;
    private final java.util.Map<String, Long> lastWarning = new java.util.concurrent.ConcurrentHashMap<>();

    public SparkplugHost(SparkplugIngest ingest, RebirthRequests rebirths, long boot) {
        this.ingest = ingest;
        this.rebirths = rebirths;
        this.boot = boot;
    }

    SparkplugIngest.Outcome ingest(SparkplugTopic topic, byte[] payload, boolean clockSynced, long receivedAtMillis) {
        SparkplugIngest.Outcome outcome = ingest.ingest(topic, payload, boot, clockSynced, receivedAtMillis);
        if (outcome instanceof SparkplugIngest.Outcome.Accepted accepted) {
            if (accepted.problem() != null) {
                warn(topic.nodeKey(), accepted.problem());
            }
            if (accepted.rebirth()) {
                rebirths.request(topic);
            }
        }
        return outcome;
    }

    /** At most one warning per edge node every 10 s: a node that is not born sends many messages until it is. */
    private void warn(String node, String problem) {
        long now = System.nanoTime();
        Long last = lastWarning.get(node);
        if (last == null || now - last > 10_000_000_000L) {
            lastWarning.put(node, now);
            LOG.warn("Sparkplug: {}", problem);
        }
    }
}
