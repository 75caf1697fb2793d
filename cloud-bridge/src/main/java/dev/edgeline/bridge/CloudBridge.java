package dev.edgeline.bridge;

import dev.edgeline.bridge.internal.BandwidthCap;
import dev.edgeline.bridge.internal.BridgeProducerProperties;
import dev.edgeline.bridge.internal.Checkpoint;
import dev.edgeline.bridge.internal.CheckpointStore;
import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.bridge.topics.RequiredTopics;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.time.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards durable spool records to Kafka in spool order (higher lanes first).
 *
 * <p><b>Exactly once</b> (default): a transactional producer whose {@code transactional.id} is
 * {@code edge-bridge-<device>}. Each batch of records and the checkpoint (the spool positions after the batch) go to
 * Kafka in one transaction; the checkpoint lives in a compacted topic under the device's key. On start, and after
 * any failure, the bridge calls {@code initTransactions} (which fences an older instance and aborts its open
 * transaction), reads the last committed checkpoint with read_committed and resumes exactly there. The local spool
 * cursor is written after each commit only so that the spool can delete what Kafka has; where the two disagree the
 * later one wins, and a checkpoint of another spool (its id differs) is ignored. A read_committed consumer sees every
 * record once.
 *
 * <p><b>At least once</b>: idempotent producer, {@code acks=all}; the cursor advances after Kafka's ack. A batch that
 * fails as a whole is sent again from the cursor, which can duplicate what Kafka had written.
 *
 * <p>Threads: one, {@code bridge-<device>}, plus the Kafka producer's I/O thread. While Kafka is unreachable it backs
 * off (capped, jittered) and logs once per state change; the spool keeps filling meanwhile. Another instance taking
 * over (this one fenced) stops this bridge with an error.
 */
public final class CloudBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBridge.class);
    static final String READER_NAME = "bridge";
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);
    /** How long a batch's records may go unacknowledged: two request timeouts (one retry). */
    private static final Duration ACK_TIMEOUT = KAFKA_TIMEOUT.multipliedBy(2);
    /** How long after a batch with records of two lanes the bridge keeps its batches small. */
    private static final Duration LIVE_WINDOW = Duration.ofSeconds(1);

    /** Opens the spool reader the bridge consumes (in the broker's process, or from another process). */
    @FunctionalInterface
    public interface ReaderSource {
        SpoolReader open() throws IOException;
    }

    /**
     * What the bridge is doing. {@code SPOOL_UNAVAILABLE} (a disk error reading the spool or writing its cursor) and
     * {@code FAILING} (anything unexpected) are retried with backoff like {@code KAFKA_UNAVAILABLE}; only fencing and
     * {@link #close()} end the bridge.
     */
    public enum State { STARTING, FORWARDING, KAFKA_UNAVAILABLE, SPOOL_UNAVAILABLE, FAILING, FENCED, STOPPED }

    private final BridgeConfig config;
    private final String deviceId;
    private final ReaderSource readerSource;
    private final Map<String, Object> security;
    private final RecordMapper mapper;
    private final CheckpointStore checkpoints;
    private final BatchSender sender;
    private final BandwidthCap bandwidth;
    private final Thread thread;
    private final String logPrefix;
    private final BridgeActivity activity;
    private volatile boolean running = true;
    private volatile Producer<byte[], byte[]> producer;
    private volatile long loopAtNanos = System.nanoTime();
    private final List<CommitListener> commitListeners = new CopyOnWriteArrayList<>();
    private final LazyCursor cursor = new LazyCursor();
    private boolean topicsConfirmed;
    private long mixedBatchNanos = System.nanoTime() - LIVE_WINDOW.toNanos();

    /**
     * A bridge for {@code deviceId}; reads the TLS/SASL files named in {@code config.security()} now, so that a
     * missing or unreadable secret is an error at start, not later.
     */
    public CloudBridge(BridgeConfig config, String deviceId, ReaderSource readerSource) throws IOException {
        this.config = config;
        this.deviceId = deviceId;
        this.readerSource = readerSource;
        this.security = Map.copyOf(SecurityProperties.of(config.security()));
        this.mapper = new RecordMapper(config, deviceId);
        this.checkpoints = new CheckpointStore(config.bootstrapServers(), config.checkpointTopic(), security);
        this.bandwidth = new BandwidthCap(config.maxBytesPerSecond());
        this.logPrefix = "[Bridge device=" + deviceId + "] ";
        this.activity = new BridgeActivity(deviceId, config.gapTopic(), logPrefix);
        this.sender = new BatchSender(deviceId, mapper, checkpoints, activity, ACK_TIMEOUT, () -> running);
        this.thread = Thread.ofPlatform().name("bridge-" + deviceId).unstarted(this::run);
    }

    /** Told of every batch once Kafka has it (committed, in exactly-once mode); on the bridge's thread. */
    public interface CommitListener {
        /**
         * @param batch        the spool records of the batch, in order (gap markers included)
         * @param sendNanos    how long sending and committing the batch took
         */
        void committed(List<SpooledRecord> batch, long sendNanos);
    }

    /** Adds a listener (metrics, receipts); call before {@link #start}. A listener that throws is logged, not fatal. */
    public void onCommit(CommitListener listener) {
        commitListeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    /**
     * When the forwarding loop last went round (System.nanoTime): every Kafka call it makes is bounded, so a loop
     * that has not gone round for minutes is stuck, whatever Kafka does (the systemd watchdog goes by it).
     */
    public long loopAtNanos() {
        return loopAtNanos;
    }

    /** Records Kafka has acknowledged (committed, in exactly-once mode) since start. */
    public long forwarded() {
        return activity.forwarded();
    }

    /** Whether the bridge stopped because another instance with the same transactional.id took over. */
    public boolean fenced() {
        return activity.state() == State.FENCED;
    }

    private boolean exactlyOnce() {
        return config.delivery() == BridgeConfig.Delivery.EXACTLY_ONCE;
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), config.retryBackoffMax(), Backoff.Jitter.EQUAL,
                ThreadLocalRandom.current());
        try {
            while (running) {
                try (SpoolReader reader = readerSource.open()) {
                    forwardUntilStopped(reader, backoff);
                    return;
                } catch (IOException | UncheckedIOException e) {
                    // The spool's disk (full, read-only, unreadable segment): nothing is lost, the records wait on
                    // it. Reopen the reader from its cursor (and, exactly once, the Kafka checkpoint) after a pause.
                    retryAfter(State.SPOOL_UNAVAILABLE, e, backoff);
                } catch (RuntimeException e) {
                    if (!running) {
                        LOG.info("{}stopped during a Kafka call ({}); records not committed stay in the spool",
                                logPrefix, e.toString());
                        return;
                    }
                    if (activity.state() != State.FAILING) {
                        LOG.error("{}unexpected error; records stay in the spool, retrying with backoff", logPrefix, e);
                    }
                    retryAfter(State.FAILING, e, backoff);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeProducer(Duration.ofSeconds(5));
            activity.stopped();
        }
    }

    /** Drops the producer (its open transaction is aborted on reconnect) and waits before the next attempt. */
    private void retryAfter(State failing, Exception cause, Backoff backoff) throws InterruptedException {
        if (!running) {
            return;
        }
        activity.changeState(failing, cause);
        closeProducer(Duration.ZERO);
        Thread.sleep(backoff.next().toMillis());
    }

    /** Forwards until {@link #close()} or fencing; Kafka failures are retried here, spool failures thrown. */
    private void forwardUntilStopped(SpoolReader reader, Backoff backoff)
            throws IOException, InterruptedException {
        if (!retryingLocally()) {
            LOG.info("{}forwarding {} from spool positions {} to {}", logPrefix,
                    exactlyOnce() ? "exactly once" : "at least once", reader.committedPositions(),
                    config.bootstrapServers());
        }
        while (running) {
            loopAtNanos = System.nanoTime();
            try {
                if (producer == null) {
                    producer = connect(reader);
                }
                boolean forwarded = forwardBatch(reader);
                if (forwarded || retryingLocally()) {
                    // A batch went through, or the spool was read (and the cursor written) without error again.
                    backoff.reset();
                    activity.changeState(State.FORWARDING, null);
                }
            } catch (ProducerFencedException e) {
                activity.changeState(State.FENCED, e);
                return;
            } catch (KafkaException | ExecutionException | TimeoutException e) {
                if (!running) {
                    return;
                }
                activity.changeState(State.KAFKA_UNAVAILABLE, e);
                // Start over from what Kafka has: a fresh producer, and (exactly once) the committed checkpoint.
                closeProducer(Duration.ZERO);
                reader.rewind();
                activity.backlog(reader.backlogBytes()); // what waits now, for status and the stall check
                Thread.sleep(backoff.next().toMillis());
            }
        }
        if (exactlyOnce() && activity.state() == State.FORWARDING) {
            reader.commitPositions(reader.committedPositions()); // what Kafka has: let the spool delete it
        }
    }

    /** Whether the bridge is retrying after a spool or unexpected error (its reconnects are not logged each time). */
    private boolean retryingLocally() {
        return activity.state() == State.SPOOL_UNAVAILABLE || activity.state() == State.FAILING;
    }

    /** A new producer; in exactly-once mode also fences older instances and restores the committed checkpoint. */
    private Producer<byte[], byte[]> connect(SpoolReader reader)
            throws IOException, ExecutionException, InterruptedException, TimeoutException {
        if (!topicsConfirmed) {
            RequiredTopics.confirm(config, security, KAFKA_TIMEOUT);
            topicsConfirmed = true;
        }
        Producer<byte[], byte[]> created = new KafkaProducer<>(BridgeProducerProperties.of(config, deviceId, security));
        if (!exactlyOnce()) {
            return created;
        }
        try {
            created.initTransactions();
            checkpoints.ensureTopic(KAFKA_TIMEOUT);
            Optional<Checkpoint> committed = checkpoints.load(deviceId, KAFKA_TIMEOUT);
            CheckpointResume.resume(reader, committed, checkpoints.topic(), retryingLocally(), logPrefix);
            return created;
        } catch (KafkaException | ExecutionException | TimeoutException | InterruptedException e) {
            created.close(Duration.ZERO);
            throw e;
        }
    }

    /** Sends one batch and commits it; returns false when the spool had nothing new. */
    private boolean forwardBatch(SpoolReader reader)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        // While a higher lane has had records in the last second (live data beside a backlog), batches are a tenth
        // of the configured size, so that live records never wait behind a big transaction of backlog; a backlog
        // alone still goes in full batches.
        int small = Math.max(1, config.batchRecords() / 10);
        boolean liveBesideBacklog = System.nanoTime() - mixedBatchNanos < LIVE_WINDOW.toNanos();
        List<SpooledRecord> batch = reader.poll(liveBesideBacklog ? small : config.batchRecords(), small,
                Duration.ofMillis(200));
        if (batch.isEmpty()) {
            activity.backlog(reader.backlogBytes());
            cursor.idle(reader);
            return false;
        }
        if (!batch.getFirst().lane().equals(batch.getLast().lane())) {
            mixedBatchNanos = System.nanoTime();
        }
        long polledNanos = System.nanoTime();
        long bytes = 0;
        for (SpooledRecord spooled : batch) {
            bytes += spooled.nextPosition() - spooled.position();
        }
        activity.backlog(BatchLanes.withBatch(reader.backlogBytes(), batch)); // until it commits, the batch waits
        bandwidth.acquire(bytes);
        long sendStartNanos = System.nanoTime();
        int sent = exactlyOnce() ? sender.inTransaction(producer, reader, batch) : sender.atLeastOnce(producer, batch);
        long sentNanos = System.nanoTime();
        if (exactlyOnce()) {
            cursor.committed(reader, batch); // Kafka holds the checkpoint; the spool cursor is written lazily
        } else {
            reader.commit(batch);
        }
        activity.committed(sent, sentNanos - sendStartNanos);
        for (CommitListener listener : commitListeners) {
            try {
                listener.committed(batch, sentNanos - sendStartNanos);
            } catch (RuntimeException e) {
                LOG.warn("{}commit listener failed (the batch is in Kafka): {}", logPrefix, e.toString());
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}batch of {} record(s): mapped and sent in {} us, {} in {} us", logPrefix, batch.size(),
                    (sentNanos - polledNanos) / 1_000, exactlyOnce() ? "committed" : "acknowledged",
                    (System.nanoTime() - sentNanos) / 1_000);
        }
        activity.rates(batch.size(), bytes, reader.backlogBytes());
        return true;
    }

    /** A snapshot of what the bridge is doing. Thread-safe. */
    public BridgeStatus status() {
        return activity.status();
    }

    /** The last failure talking to Kafka ("" if none since the last success), for status and diagnosis. */
    public String lastError() {
        return activity.lastError();
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

    /** Stops forwarding; records not yet committed to Kafka stay in the spool for the next start. */
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
        LOG.info("{}stopped after forwarding {} record(s)", logPrefix, activity.forwarded());
    }
}
