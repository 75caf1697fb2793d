package dev.edgeline.appliance.ops;

import dev.edgeline.bridge.BridgeStatus;
import dev.edgeline.bridge.CloudBridge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bridge's meters: records forwarded and refused by Kafka, the time each batch took to send and commit, the
 * age of the last commit, the forwarding rate, the backlog it sees, its state (one series per state, 1 for the
 * current one), and how long a waiting backlog has gone without a commit (what {@code /health} judges).
 */
public final class BridgeMeters {
    private static final List<String> STATES = Arrays.stream(CloudBridge.State.values()).map(Enum::name).toList();

    private BridgeMeters() {}

    public static void bind(MeterRegistry registry, CloudBridge bridge) {
        FunctionCounter.builder("edge.bridge.forwarded.records", bridge, b -> b.status().forwarded())
                .description("records Kafka has (committed, with exactly-once delivery) since start")
                .register(registry);
        FunctionCounter.builder("edge.bridge.refused.by.kafka", bridge, b -> b.status().refusedByKafka())
                .description("records Kafka refused for good, each replaced by a gap marker").register(registry);
        Timer transaction = Timer.builder("edge.bridge.transaction")
                .description("time to send one batch and commit it (with its checkpoint) in Kafka")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry);
        bridge.onCommit((batch, sendNanos) -> transaction.record(sendNanos, TimeUnit.NANOSECONDS));
        Gauge.builder("edge.bridge.last.commit.age", bridge, b -> {
                    BridgeStatus status = b.status();
                    long since = status.lastCommitAtMillis() == 0 ? status.startedAtMillis()
                            : status.lastCommitAtMillis();
                    return (System.currentTimeMillis() - since) / 1000.0;
                }).baseUnit("seconds")
                .description("time since the last commit to Kafka (since start when none yet)").strongReference(true).register(registry);
        Gauge.builder("edge.bridge.stalled", bridge, b -> b.status().stalledForMillis(System.currentTimeMillis())
                        / 1000.0).baseUnit("seconds")
                .description("how long records have waited with no commit (0 while they flow or none wait)")
                .strongReference(true).register(registry);
        Gauge.builder("edge.bridge.records.per.second", bridge, b -> b.status().recordsPerSecond())
                .description("recent forwarding rate").strongReference(true).register(registry);
        Gauge.builder("edge.bridge.backlog", bridge, b -> b.status().totalBacklogBytes()).baseUnit("bytes")
                .description("durable spool bytes the bridge has not read yet").strongReference(true).register(registry);
        for (String state : STATES) {
            Gauge.builder("edge.bridge.state", bridge, b -> b.status().state().equals(state) ? 1 : 0)
                    .tag("state", state).description("1 for the bridge's current state").strongReference(true).register(registry);
        }
    }
}
