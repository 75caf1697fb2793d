package dev.edgeline.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer of one topic (thread {@code latency-consumer}) that records, for every
 * {@link RatePublisher} message, the time from its publish to its consumption (same JVM, one monotonic clock).
 */
final class LatencyConsumer implements AutoCloseable {
    private final long[] latencies;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    LatencyConsumer(String bootstrap, String topic, int expected) {
        this.latencies = new long[expected];
        this.thread = Thread.ofPlatform().name("latency-consumer").start(() -> consume(bootstrap, topic));
    }

    int received() {
        return received.get();
    }

    /** Latencies in nanoseconds by message number; 0 for a message not (yet) received. */
    long[] latencies() {
        return latencies.clone();
    }

    /** Waits until every expected message arrived or {@code timeout} passed. */
    void await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.get() < latencies.length && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** The {@code p} quantile in milliseconds of sorted latencies, ignoring the {@code missing} zeros at the front. */
    static double percentile(long[] sorted, long missing, double p) {
        int from = (int) missing;
        if (from >= sorted.length) {
            return Double.NaN;
        }
        int index = from + (int) Math.min(sorted.length - from - 1, Math.floor(p * (sorted.length - from)));
        return sorted[index] / 1e6;
    }

    /** A read_committed consumer of byte arrays in a fresh group, from the earliest offset. */
    static KafkaConsumer<byte[], byte[]> readCommittedConsumer(String bootstrap, int fetchMaxWaitMs) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private void consume(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer(bootstrap, 5)) {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    ByteBuffer payload = ByteBuffer.wrap(record.value());
                    long sent = payload.getLong();
                    int seq = payload.getInt();
                    if (seq < latencies.length && latencies[seq] == 0) {
                        latencies[seq] = Math.max(1, System.nanoTime() - sent);
                        received.incrementAndGet();
                    }
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
