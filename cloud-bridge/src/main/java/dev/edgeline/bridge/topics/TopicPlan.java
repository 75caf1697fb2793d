package dev.edgeline.bridge.topics;

import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every Kafka topic a device configuration needs, as an operator creates them: what each is for, its partitions,
 * and the topic settings the delivery contract depends on.
 *
 * <ul>
 *   <li><b>data</b> (each distinct {@code kafka.routes[].kafka-topic}): {@code cleanup.policy=delete} (compaction
 *       would keep only the last record per key, that is per stream), the given partitions and retention,
 *       {@code max.message.bytes} at least the largest record a spooled publish can become;</li>
 *   <li><b>gaps</b> ({@code kafka.gap-topic}): delete, one partition (gap markers are rare), the same retention;</li>
 *   <li><b>checkpoints</b> ({@code kafka.checkpoint-topic}, exactly once): compacted (one record per device
 *       matters), one partition;</li>
 *   <li><b>checkpoint anchor</b> ({@code <checkpoint-topic>.anchor}): one partition, never written to; its offsets in
 *       each device's group carry the checkpoint;</li>
 *   <li>with {@code kafka.commands.enabled}, for one device: <b>commands</b> ({@code <topic-prefix><device>}): one
 *       partition (a device reads only its own commands, whatever the fleet's size), delete, the same retention; and
 *       <b>command results</b> ({@code kafka.commands.results-topic}): keyed by device, the data topics' partitions,
 *       delete, the same retention; and <b>desired state</b> ({@code <desired-topic-prefix><device>}): compacted
 *       (the last value per key is the desired state), one partition.</li>
 * </ul>
 * Every topic gets replication {@code min(3, brokers)} unless told otherwise and {@code min.insync.replicas} one
 * below it (at least 1), so that {@code acks=all} means stored on two brokers where there are three.
 */
public final class TopicPlan {
    /** What a topic is for. */
    public enum Role {
        DATA("data"), GAPS("gaps"), CHECKPOINTS("checkpoints"), CHECKPOINT_ANCHOR("checkpoint anchor"),
        COMMANDS("commands"), COMMAND_RESULTS("command results"), DESIRED_STATE("desired state");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One topic as it should be.
     *
     * @param configs the settings that matter to the contract (others are the cluster's defaults)
     */
    public record Topic(String name, Role role, int partitions, Map<String, String> configs) {
        public Topic {
            configs = Map.copyOf(configs);
        }
    }

    /** Partitions of each data topic unless told otherwise: room for six consumers in a group. */
    public static final int DEFAULT_DATA_PARTITIONS = 6;
    /** Retention of data and gap topics unless told otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    private final List<Topic> topics;

    private TopicPlan(List<Topic> topics) {
        this.topics = List.copyOf(topics);
    }

    /**
     * The topics of {@code config}: data topics with {@code dataPartitions} partitions; data and gap topics kept for
     * {@code retention} ({@code null}: forever).
     */
    public static TopicPlan of(BridgeConfig config, int dataPartitions, Duration retention) {
        if (dataPartitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + dataPartitions);
        }
        String retentionMs = retention == null ? "-1" : Long.toString(retention.toMillis());
        Map<String, Topic> byName = new LinkedHashMap<>();
        for (Route route : config.routes()) {
            byName.putIfAbsent(route.kafkaTopic(), new Topic(route.kafkaTopic(), Role.DATA, dataPartitions, Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, retentionMs,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(config.largestKafkaRecordBytes()))));
        }
        List<Topic> topics = new ArrayList<>(byName.values());
        if (!byName.containsKey(config.gapTopic())) {
            topics.add(new Topic(config.gapTopic(), Role.GAPS, 1, Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, retentionMs)));
        }
        if (config.delivery() == BridgeConfig.Delivery.EXACTLY_ONCE) {
            topics.add(checkpointTopic(config.checkpointTopic()));
            topics.add(anchorTopic(config.checkpointTopic()));
        }
        return new TopicPlan(topics);
    }

    /**
     * As {@link #of(BridgeConfig, int, Duration)}, plus, when commands are enabled, {@code deviceId}'s command topic
     * and the results topic.
     */
    public static TopicPlan of(BridgeConfig config, String deviceId, int dataPartitions, Duration retention) {
        TopicPlan plan = of(config, dataPartitions, retention);
        if (!config.commands().enabled()) {
            return plan;
        }
        String retentionMs = retention == null ? "-1" : Long.toString(retention.toMillis());
        Map<String, String> delete = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, retentionMs);
        List<Topic> topics = new ArrayList<>(plan.topics);
        topics.add(new Topic(config.commands().topicOf(deviceId), Role.COMMANDS, 1, delete));
        topics.add(new Topic(config.commands().resultsTopic(), Role.COMMAND_RESULTS, dataPartitions, delete));
        topics.add(new Topic(config.commands().desiredTopicOf(deviceId), Role.DESIRED_STATE, 1,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        return new TopicPlan(topics);
    }

    /** The compacted checkpoint topic. */
    public static Topic checkpointTopic(String name) {
        return new Topic(name, Role.CHECKPOINTS, 1,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** The checkpoint topic's anchor, {@code <checkpoint-topic>.anchor}. */
    public static Topic anchorTopic(String checkpointTopic) {
        return new Topic(checkpointTopic + ".anchor", Role.CHECKPOINT_ANCHOR, 1, Map.of());
    }

    /** Replication for a cluster of {@code brokers} brokers: up to 3. */
    public static short replicationFor(int brokers) {
        return (short) Math.max(1, Math.min(3, brokers));
    }

    /** {@code min.insync.replicas} for {@code replication}: one below it, at least 1. */
    public static int minInSyncFor(int replication) {
        return Math.max(1, replication - 1);
    }

    public List<Topic> topics() {
        return topics;
    }

    /** The data and gap topics: what the bridge writes records to. */
    public List<String> recordTopics() {
        return topics.stream().filter(t -> t.role() == Role.DATA || t.role() == Role.GAPS).map(Topic::name).toList();
    }
}
