package dev.edgeline.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Counts the records of one topic a read_committed consumer sees (thread {@code committed-counter-<topic>}). */
final class CommittedRecordCounter implements AutoCloseable {
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final String topic;

    CommittedRecordCounter(String bootstrap, String topic) {
        this.topic = topic;
        this.thread = Thread.ofPlatform().name("committed-counter-" + topic).start(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = LatencyConsumer.readCommittedConsumer(bootstrap, 500)) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    count.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
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
