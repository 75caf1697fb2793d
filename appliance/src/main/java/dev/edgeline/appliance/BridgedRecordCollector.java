package dev.edgeline.appliance;

import dev.edgeline.config.RecordEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An independent Kafka consumer (read_committed, its own group, from the earliest offset) that reads the bridged
 * topics and keeps account of what arrived: distinct record identities, duplicates, and per-stream order violations
 * (a record whose (boot, seq) is not above the previous one of its stream). Used by the demo and the integration
 * tests. Runs on its own thread, {@code kafka-collector}; the accessors are thread-safe.
 */
public final class BridgedRecordCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgedRecordCollector.class);

    /** The identity of one record as read from its Kafka headers. */
    public record Identity(String device, String stream, long boot, long seq) {}

    /** One record as the collector saw it. */
    public record Seen(Identity identity, String topic, int partition, long offset, String key, String payload,
                       Map<String, String> headers) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Consumer<Seen> onRecord;
    private final Object lock = new Object();
    private final Set<Identity> distinct = new HashSet<>();
    private final Map<String, Identity> lastPerStream = new HashMap<>();
    private final List<String> orderViolations = new ArrayList<>();
    private final AtomicLong total = new AtomicLong();
    private final Map<TopicPartition, Long> nextOffsets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;

    public BridgedRecordCollector(String bootstrapServers, Collection<String> topics, Consumer<Seen> onRecord) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "edge-collector-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        // Without committed offsets a rebalance (a broker restart, say) would send the consumer back to the earliest
        // offset and show every record again; continue where this collector really was instead.
        this.consumer.subscribe(List.copyOf(topics), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // positions are kept in nextOffsets
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                for (TopicPartition partition : partitions) {
                    Long next = nextOffsets.get(partition);
                    if (next != null) {
                        consumer.seek(partition, next);
                    }
                }
            }
        });
        this.onRecord = onRecord;
        this.thread = Thread.ofPlatform().name("kafka-collector").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.error("collector stopped by an error", e);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        Identity identity;
        try {
            identity = new Identity(headers.get(RecordEnvelope.DEVICE), headers.get(RecordEnvelope.STREAM),
                    Long.parseLong(headers.get(RecordEnvelope.BOOT)), Long.parseLong(headers.get(RecordEnvelope.SEQ)));
        } catch (RuntimeException e) {
            LOG.warn("record without a valid identity at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        Seen seen = new Seen(identity, record.topic(), record.partition(), record.offset(),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                new String(record.value(), StandardCharsets.UTF_8), Map.copyOf(headers));
        synchronized (lock) {
            total.incrementAndGet();
            distinct.add(identity);
            String streamKey = identity.device() + "/" + identity.stream();
            Identity previous = lastPerStream.get(streamKey);
            if (previous != null && (identity.boot() < previous.boot()
                    || (identity.boot() == previous.boot() && identity.seq() <= previous.seq()))) {
                orderViolations.add(streamKey + ": boot " + identity.boot() + " seq " + identity.seq()
                        + " after boot " + previous.boot() + " seq " + previous.seq());
            }
            lastPerStream.put(streamKey, identity);
        }
        onRecord.accept(seen);
    }

    /** Records read, duplicates included. */
    public long total() {
        return total.get();
    }

    public int distinctCount() {
        synchronized (lock) {
            return distinct.size();
        }
    }

    public long duplicates() {
        synchronized (lock) {
            return total.get() - distinct.size();
        }
    }

    public boolean contains(Identity identity) {
        synchronized (lock) {
            return distinct.contains(identity);
        }
    }

    public Set<Identity> distinct() {
        synchronized (lock) {
            return Collections.unmodifiableSet(new HashSet<>(distinct)); // not Set.copyOf: slow on record hashes
        }
    }

    /** Descriptions of records that arrived out of per-stream order (duplicates show up here too). */
    public List<String> orderViolations() {
        synchronized (lock) {
            return List.copyOf(orderViolations);
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
