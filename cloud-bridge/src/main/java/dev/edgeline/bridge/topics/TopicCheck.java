package dev.edgeline.bridge.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Compares the topics a {@link TopicPlan} needs with what a Kafka cluster has, and creates the missing ones. What it
 * finds per topic is a {@link Finding}: missing, or present with its partitions, replication and the problems that
 * break the delivery contract (a compacted data topic loses all but the last record of each stream; a
 * {@code max.message.bytes} below the largest record makes Kafka refuse records the device accepted; a
 * {@code min.insync.replicas} above the replication refuses every write) or only weaken it (notes: fewer partitions
 * than planned, no replication on a cluster that has more brokers, a checkpoint topic that is not compacted).
 */
public final class TopicCheck {
    private final Admin admin;
    private final Duration timeout;

    public TopicCheck(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /**
     * What the cluster has of one planned topic.
     *
     * @param partitions  0 when missing
     * @param replication 0 when missing
     * @param problems    what breaks the contract (empty when missing: that is its own state)
     * @param notes       what only weakens it
     */
    public record Finding(TopicPlan.Topic topic, boolean exists, int partitions, int replication,
                          List<String> problems, List<String> notes) {
        public Finding {
            problems = List.copyOf(problems);
            notes = List.copyOf(notes);
        }

        /** Present and without problems. */
        public boolean ok() {
            return exists && problems.isEmpty();
        }
    }

    /** The number of brokers in the cluster. */
    public int brokers() throws ExecutionException, InterruptedException, TimeoutException {
        Collection<Node> nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return nodes.size();
    }

    /** Which of {@code names} the cluster does not have (it needs only DESCRIBE on them, which WRITE implies). */
    public List<String> missing(Collection<String> names)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin.describeTopics(names).topicNameValues();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (describe(descriptions.get(name)).isEmpty()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** One finding per planned topic, in the plan's order. */
    public List<Finding> inspect(TopicPlan plan) throws ExecutionException, InterruptedException, TimeoutException {
        int brokers = brokers();
        List<String> names = plan.topics().stream().map(TopicPlan.Topic::name).toList();
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin.describeTopics(names).topicNameValues();
        Map<String, TopicDescription> existing = new HashMap<>();
        for (String name : names) {
            describe(descriptions.get(name)).ifPresent(d -> existing.put(name, d));
        }
        Map<String, Config> configs = existing.isEmpty() ? Map.of() : topicConfigs(existing.keySet());
        List<Finding> findings = new ArrayList<>();
        for (TopicPlan.Topic topic : plan.topics()) {
            TopicDescription description = existing.get(topic.name());
            if (description == null) {
                findings.add(new Finding(topic, false, 0, 0, List.of(), List.of()));
                continue;
            }
            int partitions = description.partitions().size();
            int replication = description.partitions().getFirst().replicas().size();
            findings.add(judge(topic, partitions, replication, configs.get(topic.name()), brokers));
        }
        return findings;
    }

    private Finding judge(TopicPlan.Topic topic, int partitions, int replication, Config config, int brokers) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String cleanup = value(config, TopicConfig.CLEANUP_POLICY_CONFIG).orElse(TopicConfig.CLEANUP_POLICY_DELETE);
        boolean compacted = cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
        switch (topic.role()) {
            case DATA, GAPS -> {
                if (compacted) {
                    problems.add("cleanup.policy=" + cleanup + ": compaction keeps only the last record of each key"
                            + " (stream); must be delete");
                }
            }
            case CHECKPOINTS -> {
                if (!compacted) {
                    notes.add("cleanup.policy=" + cleanup + ": not compacted, so it grows by one record per batch"
                            + " until retention deletes old checkpoints");
                }
            }
            case CHECKPOINT_ANCHOR -> { }
        }
        String wantedMaxBytes = topic.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        Optional<String> maxBytes = value(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (wantedMaxBytes != null && maxBytes.isPresent()
                && Long.parseLong(maxBytes.get()) < Long.parseLong(wantedMaxBytes)) {
            problems.add("max.message.bytes=" + maxBytes.get() + " is below the largest record the device accepts ("
                    + wantedMaxBytes + "): Kafka would refuse such records and the bridge replace them by gap markers");
        }
        Optional<String> minInSync = value(config, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        if (minInSync.isPresent() && Integer.parseInt(minInSync.get()) > replication) {
            problems.add("min.insync.replicas=" + minInSync.get() + " is above the replication (" + replication
                    + "): every write with acks=all is refused");
        }
        if (partitions < topic.partitions()) {
            notes.add(partitions + " partition(s), planned " + topic.partitions());
        }
        if (replication < TopicPlan.replicationFor(brokers)) {
            notes.add("replication " + replication + " on a cluster of " + brokers + " brokers: a broker lost is data"
                    + " lost");
        }
        return new Finding(topic, true, partitions, replication, problems, notes);
    }

    /**
     * Creates the planned topics the cluster does not have, with {@code replication} (0: {@code min(3, brokers)});
     * returns their names. A topic created meanwhile by someone else counts as existing.
     */
    public List<String> createMissing(TopicPlan plan, int replication)
            throws ExecutionException, InterruptedException, TimeoutException {
        short factor = replication > 0 ? (short) replication : TopicPlan.replicationFor(brokers());
        List<NewTopic> missing = new ArrayList<>();
        for (Finding finding : inspect(plan)) {
            if (!finding.exists()) {
                Map<String, String> configs = new HashMap<>(finding.topic().configs());
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(TopicPlan.minInSyncFor(factor)));
                missing.add(new NewTopic(finding.topic().name(), finding.topic().partitions(), factor).configs(configs));
            }
        }
        List<String> created = new ArrayList<>();
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    private Optional<TopicDescription> describe(KafkaFuture<TopicDescription> future)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return Optional.of(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Map<String, Config> topicConfigs(Collection<String> names)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<String, Config> byName = new HashMap<>();
        admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((resource, config) -> byName.put(resource.name(), config));
        return byName;
    }

    private static Optional<String> value(Config config, String name) {
        if (config == null) {
            return Optional.empty();
        }
        ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? Optional.empty() : Optional.of(entry.value());
    }

    /**
     * Whether the cluster creates topics on first use ({@code auto.create.topics.enable} of one broker); empty when
     * that cannot be read (the client may not describe the cluster's configuration).
     */
    public Optional<Boolean> autoCreatesTopics() throws InterruptedException {
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                return Optional.empty();
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(nodes.iterator().next().id()));
            Config config = admin.describeConfigs(List.of(broker)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(broker);
            return value(config, "auto.create.topics.enable").map(Boolean::parseBoolean);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }
}
