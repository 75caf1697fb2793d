package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.edgeline.bridge.topics.AdminProperties;
import dev.edgeline.bridge.topics.TopicPlan;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a device's bridge checkpoint lives in Kafka, written in the same transaction as the records it covers, in
 * two places:
 * <ul>
 *   <li>the committed offset metadata of the device's own consumer group {@code edge-bridge-<device>} on the
 *       anchor topic {@code <checkpoint-topic>.anchor} (one partition, never written to): read back with one
 *       OffsetFetch from the group's coordinator, whatever the size of the fleet, and ACL-able per device (the
 *       device needs READ on its own group and on the empty anchor topic, nothing on any other device's group);</li>
 *   <li>a record in the compacted checkpoint topic, keyed by the device: what releases before the group existed
 *       wrote and read, and the fallback when the group has no offset (the first start after an upgrade, or offsets
 *       expired after {@code offsets.retention.minutes} without a commit). Reading it scans the partition from the
 *       beginning (the whole fleet's checkpoints); a device denied READ on that topic skips it.</li>
 * </ul>
 * Reads see only committed checkpoints (the group read with requireStable, the topic with read_committed).
 */
public final class CheckpointStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointStore.class);
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> security;

    public CheckpointStore(String bootstrapServers, String topic, Map<String, Object> security) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.security = Map.copyOf(security);
    }

    public String topic() {
        return topic;
    }

    /** The topic whose partition 0 carries the groups' offsets (nothing is ever written to it). */
    public String anchorTopic() {
        return topic + ".anchor";
    }

    /** The consumer group that holds {@code deviceId}'s checkpoint. */
    public static String groupOf(String deviceId) {
        return "edge-bridge-" + deviceId;
    }

    /** The offsets to commit in a transaction for {@code checkpoint} (see {@code sendOffsetsToTransaction}). */
    public Map<TopicPartition, OffsetAndMetadata> offsetsFor(Checkpoint checkpoint) {
        return Map.of(new TopicPartition(anchorTopic(), 0),
                new OffsetAndMetadata(0, new String(checkpoint.encode(), StandardCharsets.UTF_8)));
    }

    /** Creates the checkpoint topic (compacted) and the anchor topic, replication up to 3, if they do not exist. */
    public void ensureTopic(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        Properties p = AdminProperties.of(bootstrapServers, security, timeout);
        try (Admin admin = Admin.create(p)) {
            java.util.Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (existing.contains(topic) && existing.contains(anchorTopic())) {
                return;
            }
            int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            short replication = TopicPlan.replicationFor(brokers);
            String minInSync = String.valueOf(TopicPlan.minInSyncFor(replication));
            List<NewTopic> missing = new java.util.ArrayList<>();
            for (TopicPlan.Topic planned : List.of(TopicPlan.checkpointTopic(topic), TopicPlan.anchorTopic(topic))) {
                if (!existing.contains(planned.name())) {
                    Map<String, String> configs = new java.util.HashMap<>(planned.configs());
                    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync);
                    missing.add(new NewTopic(planned.name(), planned.partitions(), replication).configs(configs));
                }
            }
            for (var result : admin.createTopics(missing).values().values()) {
                try {
                    result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * The last committed checkpoint of {@code deviceId}: from its group when it has one, else from the checkpoint
     * topic (scanned; skipped when this device may not read it).
     */
    public Optional<Checkpoint> load(String deviceId, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Optional<Checkpoint> fromGroup = loadFromGroup(deviceId, timeout);
        if (fromGroup.isPresent()) {
            return fromGroup;
        }
        try {
            Optional<Checkpoint> fromTopic = loadFromTopic(deviceId, timeout);
            fromTopic.ifPresent(c -> LOG.info("checkpoint of {} read from the topic {} (its group {} has none yet)",
                    deviceId, topic, groupOf(deviceId)));
            return fromTopic;
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            LOG.info("no checkpoint in group {}, and this device may not read {} ({}); resuming from the spool "
                    + "cursor", groupOf(deviceId), topic, e.getMessage());
            return Optional.empty();
        }
    }

    /** The checkpoint in the offset metadata of the device's group (one OffsetFetch), if it has one. */
    public Optional<Checkpoint> loadFromGroup(String deviceId, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Properties p = AdminProperties.of(bootstrapServers, security, timeout);
        TopicPartition anchor = new TopicPartition(anchorTopic(), 0);
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                            Map.of(groupOf(deviceId), new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(anchor))),
                            new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata(groupOf(deviceId)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            OffsetAndMetadata committed = offsets.get(anchor);
            if (committed == null || committed.metadata() == null || committed.metadata().isEmpty()) {
                return Optional.empty();
            }
            return Checkpoint.decode(committed.metadata().getBytes(StandardCharsets.UTF_8));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The last committed checkpoint record under {@code key} in the checkpoint topic, if any: a full scan. */
    public Optional<Checkpoint> loadFromTopic(String key, Duration timeout) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        byte[] wanted = key.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map((PartitionInfo info) -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> remaining = new HashMap<>(end);
            byte[] latest = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (remaining.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "reading the checkpoint topic " + topic + " took longer than " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && java.util.Arrays.equals(record.key(), wanted)) {
                        latest = record.value();
                    }
                }
            }
            return latest == null ? Optional.empty() : Checkpoint.decode(latest);
        }
    }
}
