package dev.edgeline.bridge;

import dev.edgeline.bridge.internal.Backoff;
import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.BridgeConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards durable spool records to Kafka, in spool order, and advances the spool reader only after Kafka has
 * acknowledged them.
 *
 * <p>Delivery (this version): at least once. The producer is idempotent with {@code acks=all}, so its own retries
 * never duplicate; a batch that fails as a whole (the cluster unreachable past the delivery timeout) is sent again
 * from the last committed position, which can duplicate records Kafka had in fact written. Order per stream is
 * kept: one thread sends, the key keeps a stream in one partition, and idempotence keeps order across retries.
 *
 * <p>Threads: one, {@code bridge-<device>}, plus the Kafka producer's I/O thread. While Kafka is unreachable the
 * loop backs off (capped, jittered) and logs once per state change; the broker keeps spooling meanwhile.
 */
public final class CloudBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBridge.class);
    static final String READER_NAME = "bridge";

    private enum State { STARTING, FORWARDING, KAFKA_UNAVAILABLE, STOPPED }

    private final BridgeConfig config;
    private final String deviceId;
    private final Spool spool;
    private final RecordMapper mapper;
    private final Thread thread;
    private final String logPrefix;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong unroutable = new AtomicLong();
    private volatile boolean running = true;
    private volatile Producer<byte[], byte[]> producer;
    private State state = State.STARTING;

    public CloudBridge(BridgeConfig config, String deviceId, Spool spool) {
        this.config = config;
        this.deviceId = deviceId;
        this.spool = spool;
        this.mapper = new RecordMapper(config);
        this.logPrefix = "[Bridge device=" + deviceId + "] ";
        this.thread = Thread.ofPlatform().name("bridge-" + deviceId).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Records Kafka has acknowledged since start. */
    public long forwarded() {
        return forwarded.get();
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), config.retryBackoffMax(), ThreadLocalRandom.current());
        try (SpoolReader reader = spool.openReader(READER_NAME)) {
            LOG.info("{}forwarding from spool positions {} to {}", logPrefix, reader.committedPositions(),
                    config.bootstrapServers());
            while (running) {
                try {
                    if (producer == null) {
                        producer = new KafkaProducer<>(producerProperties());
                    }
                    if (forwardBatch(reader)) {
                        backoff.reset();
                        changeState(State.FORWARDING, null);
                    }
                } catch (KafkaException | ExecutionException | TimeoutException e) {
                    if (!running) {
                        break;
                    }
                    changeState(State.KAFKA_UNAVAILABLE, e);
                    // A fresh producer: after a failed batch the old one may be in a fatal state.
                    closeProducer(Duration.ZERO);
                    reader.rewind();
                    Thread.sleep(backoff.next());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("{}bridge stopped by an unexpected error; records stay in the spool", logPrefix, e);
        } finally {
            closeProducer(Duration.ofSeconds(5));
            state = State.STOPPED;
        }
    }

    /** Sends one batch and commits it; returns false when the spool had nothing new. */
    private boolean forwardBatch(SpoolReader reader)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        List<SpooledRecord> batch = reader.poll(config.batchRecords(), Duration.ofMillis(200));
        if (batch.isEmpty()) {
            return false;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (SpooledRecord spooled : batch) {
            Optional<ProducerRecord<byte[], byte[]>> record = mapper.map(spooled.record());
            if (record.isPresent()) {
                acks.add(producer.send(record.get()));
            } else {
                unroutable.incrementAndGet();
                LOG.warn("{}no route for spooled topic {} (configuration changed?); record skipped",
                        logPrefix, spooled.record().mqttTopic());
            }
        }
        for (Future<RecordMetadata> ack : acks) {
            awaitAck(ack);
        }
        reader.commit(batch);
        forwarded.addAndGet(acks.size());
        return true;
    }

    private void awaitAck(Future<RecordMetadata> ack) throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            try {
                ack.get(500, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (!running) {
                    throw e;
                }
            }
        }
    }

    private void changeState(State next, Exception cause) {
        if (next == state) {
            return;
        }
        if (next == State.KAFKA_UNAVAILABLE) {
            LOG.warn("{}Kafka unavailable, records stay in the spool and are retried with backoff: {}", logPrefix,
                    cause == null ? "" : cause.toString());
        } else if (next == State.FORWARDING) {
            LOG.info("{}{}", logPrefix, state == State.KAFKA_UNAVAILABLE ? "Kafka reachable again, forwarding"
                    : "forwarding to Kafka");
        }
        state = next;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-bridge-" + deviceId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, (int) Math.min(10_000, config.retryBackoffMax().toMillis()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private void closeProducer(Duration timeout) {
        Producer<byte[], byte[]> current = producer;
        producer = null;
        if (current != null) {
            try {
                current.close(timeout);
            } catch (KafkaException e) {
                LOG.debug("{}producer close failed: {}", logPrefix, e.toString());
            }
        }
    }

    /** Stops forwarding; records not yet acknowledged stay in the spool for the next start. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(10));
            if (thread.isAlive()) {
                Producer<byte[], byte[]> current = producer;
                if (current != null) {
                    current.close(Duration.ZERO);
                }
                thread.interrupt();
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("{}stopped after forwarding {} record(s)", logPrefix, forwarded.get());
    }
}
