package dev.edgeline.bridge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the bridge is doing, for {@code bin/edge status} and logs.
 *
 * @param state            a {@link CloudBridge.State} name
 * @param lastError        the last failure talking to Kafka ("" when none since the last success)
 * @param forwarded        records committed to Kafka since start
 * @param recordsPerSecond recent forwarding rate (exponentially weighted over batches)
 * @param bytesPerSecond   recent forwarding rate in spool bytes
 * @param backlogBytes     per lane, durable spool bytes not yet read by the bridge
 * @param refusedByKafka   records Kafka refused for good since start (each replaced by a gap marker)
 * @param lastRefusal      which record was refused last, and Kafka's exact reason ("" when none)
 * @param startedAtMillis  when this bridge started (epoch milliseconds)
 * @param lastCommitAtMillis when a batch was last committed to Kafka (0: none since start)
 * @param commits          batches committed since start
 * @param commitNanosTotal time spent sending and committing those batches
 * @param reportedAtMillis when this snapshot was taken
 */
public record BridgeStatus(String state, String lastError, long forwarded, double recordsPerSecond,
                           double bytesPerSecond, Map<String, Long> backlogBytes, long refusedByKafka,
                           String lastRefusal, long startedAtMillis, long lastCommitAtMillis, long commits,
                           long commitNanosTotal, long reportedAtMillis) {

    public BridgeStatus {
        backlogBytes = Map.copyOf(backlogBytes);
    }

    public long totalBacklogBytes() {
        return backlogBytes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Seconds to drain the backlog at the recent rate, or -1 when there is no rate to go by. */
    public double estimatedDrainSeconds() {
        if (totalBacklogBytes() == 0) {
            return 0;
        }
        return bytesPerSecond > 0 ? totalBacklogBytes() / bytesPerSecond : -1;
    }

    /** One line of JSON (written to {@code bridge.status} in the spool directory); rates to one decimal. */
    public String toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("state", state)
                .put("last_error", lastError.replace('\n', ' '))
                .put("forwarded", forwarded).put("records_per_second", oneDecimal(recordsPerSecond))
                .put("bytes_per_second", oneDecimal(bytesPerSecond));
        ObjectNode lanes = json.putObject("backlog_bytes");
        new TreeMap<>(backlogBytes).forEach(lanes::put);
        json.put("estimated_drain_seconds", oneDecimal(estimatedDrainSeconds())).put("refused_by_kafka", refusedByKafka)
                .put("last_refusal", lastRefusal.replace('\n', ' ')).put("started_at", startedAtMillis)
                .put("last_commit_at", lastCommitAtMillis).put("commits", commits).put("reported_at", reportedAtMillis);
        return json.toString();
    }

    private static double oneDecimal(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /**
     * How long a waiting backlog has gone without a commit at {@code nowMillis}: zero when nothing waits, else the
     * time since the last commit (or since start, when there was none).
     */
    public long stalledForMillis(long nowMillis) {
        if (totalBacklogBytes() == 0) {
            return 0;
        }
        return Math.max(0, nowMillis - Math.max(lastCommitAtMillis, startedAtMillis));
    }
}
