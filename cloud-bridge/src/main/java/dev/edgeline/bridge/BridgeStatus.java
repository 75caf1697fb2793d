package dev.edgeline.bridge;

import java.util.Locale;
import java.util.Map;

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

    /** One line of JSON (written to {@code bridge.status} in the spool directory). */
    public String toJson() {
        StringBuilder lanes = new StringBuilder();
        new java.util.TreeMap<>(backlogBytes).forEach((lane, bytes) ->
                lanes.append(lanes.isEmpty() ? "" : ",").append('"').append(lane).append("\":").append(bytes));
        return String.format(Locale.ROOT, "{\"state\":\"%s\",\"last_error\":\"%s\",\"forwarded\":%d,"
                        + "\"records_per_second\":%.1f,\"bytes_per_second\":%.1f,\"backlog_bytes\":{%s},"
                        + "\"estimated_drain_seconds\":%.1f,\"refused_by_kafka\":%d,\"last_refusal\":\"%s\","
                        + "\"started_at\":%d,\"last_commit_at\":%d,\"commits\":%d,\"reported_at\":%d}", state,
                escape(lastError), forwarded, recordsPerSecond, bytesPerSecond, lanes, estimatedDrainSeconds(),
                refusedByKafka, escape(lastRefusal), startedAtMillis, lastCommitAtMillis, commits, reportedAtMillis);
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

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
