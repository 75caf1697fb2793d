package dev.edgeline.workbench.console;

import dev.edgeline.appliance.analyst.RecordIdentity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the fleet's topics into the {@link FleetView}: read_committed (only what the bridges committed), from the
 * beginning, no consumer group (nothing committed, no other reader disturbed). Without a topic list it reads every
 * topic but Kafka's internal ones and the bridges' checkpoints, and looks for new topics every ten seconds; the gap
 * topic's markers explain holes; the devices' desired-state topics and the command results topic feed the desired
 * against reported table, and command topics are skipped. Thread: {@code console-reader}.
 */
final class FleetReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetReader.class);
    private static final Duration TOPIC_REFRESH = Duration.ofSeconds(10);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FleetView view;
    private final List<String> fixedTopics;
    private final String gapTopic;
    private final Predicate<String> excluded;
    private final Thread thread;
    private volatile boolean running = true;

    /** Where commands, results and desired states are (their records are not readings). */
    record CommandTopics(String commandPrefix, String desiredPrefix, String resultsTopic) {
        static final CommandTopics DEFAULTS = new CommandTopics("edge.commands.", "edge.desired.",
                "edge.command-results");
    }

    private final CommandTopics commandTopics;

    FleetReader(String bootstrapServers, List<String> topics, String gapTopic, FleetView view) {
        this(bootstrapServers, topics, gapTopic, CommandTopics.DEFAULTS, view);
    }

    FleetReader(String bootstrapServers, List<String> topics, String gapTopic, CommandTopics commandTopics,
                FleetView view) {
        this.commandTopics = commandTopics;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edge-console");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.view = view;
        this.fixedTopics = List.copyOf(topics);
        this.gapTopic = gapTopic;
        this.excluded = FleetReader::isInternal;
        this.thread = Thread.ofPlatform().name("console-reader").daemon().unstarted(this::run);
    }

    /**
     * Kafka's and its tools' internal topics ({@code __consumer_offsets}, {@code _schemas}, ...: a leading
     * underscore) and the bridges' checkpoint topic with its anchor ({@code edge.bridge.checkpoints.anchor}, empty,
     * only read for its transaction offsets): none holds readings.
     */
    static boolean isInternal(String topic) {
        return topic.startsWith("_") || topic.equals(CHECKPOINT_TOPIC) || topic.equals(CHECKPOINT_TOPIC + ".anchor");
    }

    private static final String CHECKPOINT_TOPIC = "edge.bridge.checkpoints";

    void start() {
        thread.start();
    }

    private void run() {
        Set<TopicPartition> assigned = new HashSet<>();
        long nextRefresh = 0;
        while (running) {
            try {
                if (System.nanoTime() >= nextRefresh) {
                    assigned = reassign(assigned);
                    nextRefresh = System.nanoTime() + TOPIC_REFRESH.toNanos();
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    take(record);
                }
                view.readerError("");
            } catch (WakeupException e) {
                break;
            } catch (KafkaException | IllegalStateException e) {
                if (!running) {
                    break;
                }
                view.readerError(e.toString());
                LOG.warn("reading the fleet's topics failed, retrying: {}", e.toString());
                sleep();
            }
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    /** Adds the partitions of new topics (from their beginning), keeping the positions of the others. */
    private Set<TopicPartition> reassign(Set<TopicPartition> assigned) {
        List<String> topics = new ArrayList<>();
        Map<String, List<PartitionInfo>> all = consumer.listTopics(Duration.ofSeconds(10));
        for (String topic : all.keySet()) {
            boolean wanted = fixedTopics.isEmpty() ? !excluded.test(topic) : fixedTopics.contains(topic)
                    || topic.equals(gapTopic);
            if (wanted) {
                topics.add(topic);
            }
        }
        Set<TopicPartition> next = new HashSet<>();
        for (String topic : topics) {
            all.get(topic).forEach(info -> next.add(new TopicPartition(topic, info.partition())));
        }
        if (next.equals(assigned)) {
            return assigned;
        }
        Set<TopicPartition> added = new HashSet<>(next);
        added.removeAll(assigned);
        consumer.assign(next);
        consumer.seekToBeginning(added);
        view.topics(topics.stream().sorted().toList());
        LOG.info("reading {} topic(s): {}", topics.size(), topics.stream().sorted().toList());
        return next;
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(gapTopic)) {
            view.gapMarker(record.value());
            return;
        }
        if (record.topic().startsWith(commandTopics.desiredPrefix())) {
            String owner = record.topic().substring(commandTopics.desiredPrefix().length());
            String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            if (!owner.startsWith(dev.edgeline.config.CommandsConfig.GROUP_TOPIC_INFIX)) {
                view.desiredRecord(owner, record.offset(), key, record.value());
            } else if (key.indexOf('/') > 0) { // a group's topic: keys <device>/sensor/<name>
                view.desiredRecord(key.substring(0, key.indexOf('/')), record.offset(),
                        key.substring(key.indexOf('/') + 1), record.value());
            }
            return;
        }
        if (record.topic().equals(commandTopics.resultsTopic())) {
            var id = record.headers().lastHeader("command_id");
            if (record.key() != null && id != null) {
                view.commandResult(new String(record.key(), StandardCharsets.UTF_8),
                        new String(id.value(), StandardCharsets.UTF_8), record.value());
            }
            return;
        }
        if (record.topic().startsWith(commandTopics.commandPrefix())) {
            return; // commands to devices: not readings
        }
        RecordIdentity identity = RecordIdentity.of(record);
        if (identity == null) {
            view.foreignRecord();
            return;
        }
        view.record(record.topic(), identity.device(), identity.stream(), identity.boot(), identity.seq(),
                record.timestamp(), record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8));
    }

    private void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
