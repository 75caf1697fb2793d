package dev.edgeline.appliance.analyst;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * An analyst's view of topics: a read_committed consumer (only committed transactions, as any exactly-once reader
 * must), no consumer group (partitions assigned directly, nothing committed, no other reader disturbed).
 */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;

    public TopicReader(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edge-analyst");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // reading must never create a topic
        this.consumer = new KafkaConsumer<>(p);
    }

    /** The partitions of {@code topics}; a topic that does not exist is an error naming it. */
    public List<TopicPartition> partitionsOf(Collection<String> topics, Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        return partitions;
    }

    /**
     * Every committed record of {@code partitions} from the beginning up to the end they had when this call began,
     * in partition order; returns how many records it read.
     */
    public long readToEnd(List<TopicPartition> partitions, Duration timeout,
                          Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
        long read = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!end.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                Long stop = end.get(partition);
                if (stop != null && record.offset() < stop) {
                    onRecord.accept(record);
                    read++;
                }
            }
            end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            if (System.nanoTime() > deadline && !end.isEmpty()) {
                throw new IllegalStateException("could not read " + end.keySet() + " to their end within " + timeout);
            }
        }
        return read;
    }

    /** Follows {@code partitions} from the beginning or the end, until {@code onRecord} returns false. */
    public void follow(List<TopicPartition> partitions, boolean fromBeginning,
                       java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> onRecord) {
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        while (true) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (!onRecord.test(record)) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
