package dev.edgeline.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Counts the records (or some of them) of one topic a read_committed consumer sees (thread {@code committed-counter-<topic>}). */
final class CommittedRecordCounter implements AutoCloseable {
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final String topic;

    CommittedRecordCounter(String bootstrap, String topic) {
        this(bootstrap, topic, record -> true);
    }

    /** Counts only the records {@code counted} accepts. */
    CommittedRecordCounter(String bootstrap, String topic, Predicate<ConsumerRecord<byte[], byte[]>> counted) {
        this.topic = topic;
        this.thread = Thread.ofPlatform().name("committed-counter-" + topic).start(() -> {
            java.util.Map<TopicPartition, Long> seen = new java.util.HashMap<>();
            try (KafkaConsumer<byte[], byte[]> consumer = LatencyConsumer.readCommittedConsumer(bootstrap, 500)) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                        // After Kafka stalled past the session timeout the consumer rejoins its group and reads
                        // again from its last committed offset: what it has seen is not counted twice.
                        if (record.offset() > seen.getOrDefault(partition, -1L)) {
                            seen.put(partition, record.offset());
                            if (counted.test(record)) {
                                count.incrementAndGet();
                            }
                        }
                    }
                }
            }
        });
    }

    String topic() {
        return topic;
    }

    long count() {
        return count.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
