package dev.edgeline.bridge;

import dev.edgeline.broker.spool.SpooledRecord;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bridge is doing and has done, for {@link CloudBridge#status()} and the logs: its state (a change logged
 * once, with the reason), the last error, records forwarded and refused, commit counts and times, recent rates and
 * the backlog per lane. Written by the bridge's thread; read from any thread.
 */
final class BridgeActivity {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBridge.class);
    /** Weight of the last batch in the rates: about the last 20 batches count. */
    private static final double RATE_WEIGHT = 0.05;

    private final String deviceId;
    private final String gapTopic;
    private final String logPrefix;
    private final long startedAtMillis = System.currentTimeMillis();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong unroutable = new AtomicLong();
    private final AtomicLong refusedByKafka = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong commitNanosTotal = new AtomicLong();
    private volatile CloudBridge.State state = CloudBridge.State.STARTING;
    private volatile String lastError = "";
    private volatile String lastRefusal = "";
    private volatile double recordsPerSecond;
    private volatile double bytesPerSecond;
    private volatile Map<String, Long> backlog = Map.of();
    private volatile long lastCommitAtMillis;
    private long lastBatchNanos = System.nanoTime();

    BridgeActivity(String deviceId, String gapTopic, String logPrefix) {
        this.deviceId = deviceId;
        this.gapTopic = gapTopic;
        this.logPrefix = logPrefix;
    }

    CloudBridge.State state() {
        return state;
    }

    long forwarded() {
        return forwarded.get();
    }

    String lastError() {
        return lastError;
    }

    /** What waits in the spool per lane (bytes), for status and the stall check. */
    void backlog(Map<String, Long> bytesPerLane) {
        backlog = bytesPerLane;
    }

    /** A batch of {@code sent} records is in Kafka; sending and committing it took {@code sendNanos}. */
    void committed(int sent, long sendNanos) {
        forwarded.addAndGet(sent);
        commits.incrementAndGet();
        commitNanosTotal.addAndGet(sendNanos);
        lastCommitAtMillis = System.currentTimeMillis();
    }

    /** Exponentially weighted forwarding rates and the backlog after a batch. */
    void rates(int records, long bytes, Map<String, Long> backlogAfter) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastBatchNanos) / 1e9);
        lastBatchNanos = now;
        recordsPerSecond = recordsPerSecond == 0 ? records / seconds
                : (1 - RATE_WEIGHT) * recordsPerSecond + RATE_WEIGHT * records / seconds;
        bytesPerSecond = bytesPerSecond == 0 ? bytes / seconds
                : (1 - RATE_WEIGHT) * bytesPerSecond + RATE_WEIGHT * bytes / seconds;
        backlog = backlogAfter;
    }

    /** A record no route matches any more (the configuration changed): skipped, counted, logged. */
    void unroutable(SpooledRecord spooled) {
        unroutable.incrementAndGet();
        LOG.warn("{}no route for spooled topic {} (configuration changed?); record skipped",
                logPrefix, spooled.record().mqttTopic());
    }

    /** A record Kafka refused for good, replaced by a gap marker: counted, logged with Kafka's exact reason. */
    void setAside(SpooledRecord spooled, String error) {
        refusedByKafka.incrementAndGet();
        lastRefusal = "Kafka refused " + spooled.record().device() + "/" + spooled.record().stream() + " boot "
                + spooled.record().boot() + " seq " + spooled.record().seq() + " (lane " + spooled.lane()
                + " position " + spooled.position() + ", " + spooled.record().payload().length + " payload bytes): "
                + error + "; replaced by a gap marker in " + gapTopic;
        LOG.warn("{}{}", logPrefix, lastRefusal);
    }

    /** A snapshot of what the bridge is doing. */
    BridgeStatus status() {
        return new BridgeStatus(state.name(), lastError, forwarded.get(), recordsPerSecond, bytesPerSecond, backlog,
                refusedByKafka.get(), lastRefusal, startedAtMillis, lastCommitAtMillis, commits.get(),
                commitNanosTotal.get(), System.currentTimeMillis());
    }

    /** Moves to {@code next} (the cause, if any, becomes the last error); a change of state is logged once. */
    void changeState(CloudBridge.State next, Exception cause) {
        lastError = cause == null ? "" : rootMessage(cause);
        if (next == state) {
            return;
        }
        switch (next) {
            case KAFKA_UNAVAILABLE -> LOG.warn("{}Kafka unavailable, records stay in the spool and are retried with "
                    + "backoff: {}", logPrefix, lastError);
            case SPOOL_UNAVAILABLE -> LOG.error("{}cannot read the spool or write its cursor (records stay on disk, "
                    + "retried with backoff until it works again): {}", logPrefix, lastError);
            case FORWARDING -> LOG.info("{}{} (backlog {} bytes per lane{})", logPrefix,
                    switch (state) {
                        case KAFKA_UNAVAILABLE -> "Kafka reachable again, forwarding";
                        case SPOOL_UNAVAILABLE -> "spool readable and its cursor writable again, forwarding";
                        case FAILING -> "recovered, forwarding";
                        default -> "forwarding to Kafka";
                    },
                    backlog, status().estimatedDrainSeconds() > 0 ? String.format(Locale.ROOT,
                            ", about %.0f s to drain at the recent rate", status().estimatedDrainSeconds()) : "");
            case FENCED -> LOG.error("{}another bridge instance with transactional.id edge-bridge-{} took over; this "
                    + "one stops (records stay in the spool): {}", logPrefix, deviceId, String.valueOf(cause));
            default -> { }
        }
        state = next;
    }

    /** The end state once the bridge's thread ends: fenced stays fenced, anything else is stopped. */
    void stopped() {
        if (state != CloudBridge.State.FENCED) {
            state = CloudBridge.State.STOPPED;
        }
    }

    private static String rootMessage(Throwable error) {
        StringBuilder message = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (!message.isEmpty()) {
                message.append(": ");
            }
            message.append(t.getClass().getSimpleName()).append(' ').append(t.getMessage());
        }
        return message.toString();
    }
}
