package dev.edgeline.bridge.commands;

import dev.edgeline.bridge.internal.BridgeProducerProperties;
import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.CommandsConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cloud-to-device commands for one device (docs/commands.md), on its own thread {@code commands-<device>}: reads the
 * device's command topic (read_committed, one partition), stores each command in the {@link CommandQueue} before its
 * consumption is committed, delivers the first pending command of each target on the local broker
 * ({@link CommandDelivery}), and writes each result to the results topic in a Kafka transaction that also commits the
 * command topic's position, with "results up to n" in that offset's metadata. After a crash the queue and the
 * committed offset say where everything stands: a command consumed again is a duplicate of a stored one; a result
 * Kafka has is not written again; one it lacks is written.
 *
 * <p>On a group's topic ({@code kafka.commands.group}) the device takes only the records keyed by its id; its
 * neighbours' are skipped, and their offsets are committed with its own next transaction, or after 10 s when nothing
 * of its own came (a restart reads at most those 10 s of skipped records again, and skips them again).
 *
 * <p>Per target one command at a time, in the order received: the next is delivered once the one before it ended, so
 * order per device and target is kept. A command that asks for a response ends with the responder's answer, one that
 * does not once the broker passed it to a subscriber; a publish nobody subscribes to is tried again (1 s, doubling
 * to 30 s) until its time to live runs out.
 */
public final class CommandBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandBridge.class);
    private static final int RESULTS_PER_TRANSACTION = 500;
    /** How long a round waits for commands: also how late a response or acknowledgement is handled at most. */
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration POLL_WHILE_DELIVERING = Duration.ofMillis(5);
    /** How long skipped records (a group's other devices') wait for a commit when the device gets none of its own. */
    private static final long SKIPPED_COMMIT_MILLIS = 10_000;
    /** The agent's own target, which applies the desired state. */
    static final String AGENT_TARGET = "agent";
    /** A desired state waits for the agent this long: it is the device's configuration, not a passing command. */
    static final Duration DESIRED_STATE_TTL = Duration.ofDays(30);

    private final BridgeConfig config;
    private final CommandsConfig commands;
    private final String device;
    private final String mqttUri;
    private final InstantSource clock;
    private final String logPrefix;
    private final TopicPartition partition;
    /** The device's compacted desired-state topic (read from its beginning at every connect), if it exists. */
    private final TopicPartition desiredPartition;
    private boolean readingDesired;
    private long desiredEndAtConnect;
    private DesiredState desired;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** The record key of this device's commands. */
    private final byte[] deviceKey;
    /** When the position moved past skipped records without a commit since, else 0. */
    private long skippedSinceMillis;
    private final AtomicLong resultsWritten = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private KafkaConsumer<byte[], byte[]> consumer;
    private volatile String state = "starting";
    private volatile CommandQueue queue;
    private DeviceDelivery deliveries;
    private KafkaProducer<byte[], byte[]> producer;
    private long resultsCommittedUpTo;
    private long nextStatusMillis;

    /** @param mqttUri the local broker, e.g. {@code tcp://127.0.0.1:1883} */
    public CommandBridge(BridgeConfig config, String device, String mqttUri, InstantSource clock) {
        this.config = config;
        this.commands = config.commands();
        this.device = device;
        this.mqttUri = mqttUri;
        this.clock = clock;
        this.logPrefix = "[Commands device=" + device + "] ";
        this.partition = new TopicPartition(commands.topicOf(device), 0);
        this.desiredPartition = new TopicPartition(commands.desiredTopicOf(device), 0);
        this.deviceKey = device.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "commands-" + device);
    }

    public void start() {
        thread.start();
    }

    /** What it is doing: {@code starting}, {@code waiting for Kafka}, {@code running}, {@code fenced}, ... */
    public String state() {
        return state;
    }

    /** Commands read from Kafka since start. */
    public long received() {
        return received.get();
    }

    /** Other devices' commands passed over on the group's topic since start (0 on a topic of the device's own). */
    public long skipped() {
        return skipped.get();
    }

    /** Results committed to Kafka since start. */
    public long resultsWritten() {
        return resultsWritten.get();
    }

    /** Commands stored on the device that have not ended (0 before the queue is open). */
    public int pending() {
        CommandQueue q = queue;
        return q == null ? 0 : q.pendingCount();
    }

    /** Bytes of the pending commands. */
    public long pendingBytes() {
        CommandQueue q = queue;
        return q == null ? 0 : q.pendingBytes();
    }

    /** Results on the device not yet in Kafka. */
    public int resultsWaiting() {
        CommandQueue q = queue;
        return q == null ? 0 : q.unforwardedCount();
    }

    private void run() {
        try {
            queue = CommandQueue.open(commands.directory(), clock.millis(), commands.maxQueueBytes(),
                    commands.rememberIds(), clock);
            deliveries = new DeviceDelivery(queue, new CommandDelivery(mqttUri, device, commands.mqttUsername(),
                    commands.mqttPasswordFile(), event -> deliveries.onEvent(event)), clock, logPrefix);
        } catch (IOException | MqttException | RuntimeException e) {
            state = "failed: " + e.getMessage();
            LOG.error("{}cannot start: {}", logPrefix, e.toString());
            return;
        }
        long backoff = 500;
        while (running) {
            try {
                connectKafka();
                backoff = 500;
                state = "running";
                while (running) {
                    step();
                }
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                state = "fenced";
                LOG.error("{}another instance of this device's command bridge took over ({}); stopping", logPrefix,
                        e.toString());
                running = false;
            } catch (KafkaException | IOException e) {
                state = "waiting for Kafka: " + e.getMessage();
                LOG.warn("{}{}; retrying in {} ms", logPrefix, e.toString(), backoff);
                closeKafka();
                deliverWithoutKafka(backoff);
                backoff = Math.min(backoff * 2, config.retryBackoffMax().toMillis());
            }
        }
        closeKafka();
        deliveries.close();
        try {
            queue.close();
        } catch (IOException e) {
            LOG.warn("{}closing the queue: {}", logPrefix, e.toString());
        }
    }

    private void connectKafka() throws IOException {
        Map<String, Object> security = SecurityProperties.of(config.security());
        // The bridge's producer settings (acks, idempotence, compression, a request size above the largest record the
        // device accepts, reconnect backoff), with this producer's own client and transactional ids.
        Properties p = BridgeProducerProperties.of(config, device, security);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-commands-" + device);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, CommandsConfig.transactionalIdOf(device));
        producer = new KafkaProducer<>(p);
        producer.initTransactions();

        consumer = new KafkaConsumer<>(CommandConsumerProperties.of(config.bootstrapServers(), device, security));
        if (consumer.partitionsFor(partition.topic(), Duration.ofSeconds(15)).isEmpty()) {
            throw new KafkaException("command topic " + partition.topic() + " does not exist (create it: bin/edge "
                    + "kafka topics --config F --create)");
        }
        readingDesired = desiredStateReadable();
        if (readingDesired) {
            consumer.assign(List.of(partition, desiredPartition));
            consumer.seekToBeginning(List.of(desiredPartition));
            desiredEndAtConnect = consumer.endOffsets(List.of(desiredPartition), Duration.ofSeconds(30))
                    .get(desiredPartition);
            desired = new DesiredState(logPrefix, commands, device);
        } else {
            consumer.assign(List.of(partition));
            LOG.warn("{}no readable desired-state topic {}: desired state is not read (create it: bin/edge kafka "
                    + "topics --config F --create)", logPrefix, desiredPartition.topic());
        }
        OffsetAndMetadata committed = consumer.committed(Set.of(partition), Duration.ofSeconds(30)).get(partition);
        if (committed == null) {
            consumer.seekToBeginning(List.of(partition));
            resultsCommittedUpTo = 0;
            LOG.info("{}reading {} from its beginning (no position committed)", logPrefix, partition.topic());
        } else {
            consumer.seek(partition, committed.offset());
            resultsCommittedUpTo = ResultsMark.parse(committed.metadata(), queue.epoch(), logPrefix);
            queue.forwarded(resultsCommittedUpTo);
            LOG.info("{}reading {} from offset {}; results up to #{} in Kafka", logPrefix, partition.topic(),
                    committed.offset(), resultsCommittedUpTo);
        }
    }

    /** Whether the desired-state topic exists and this device may read it (else warned once per connect). */
    private boolean desiredStateReadable() {
        try {
            return !consumer.partitionsFor(desiredPartition.topic(), Duration.ofSeconds(15)).isEmpty();
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            LOG.warn("{}not authorized to read the desired-state topic {} ({}): desired state is not read", logPrefix,
                    desiredPartition.topic(), e.getMessage());
            return false;
        }
    }

    /** One round: read commands, handle what the broker said, expire, deliver, commit. */
    private void step() throws IOException {
        // While commands are on their way, a short poll: their answers (Paho's thread) are handled within 5 ms, not
        // after the rest of a 50 ms poll (consumer.wakeup() would also hit the next position() or committed() call).
        Duration wait = deliveries.hasEvents() ? Duration.ZERO : deliveries.awaitingAnswers() ? POLL_WHILE_DELIVERING
                : POLL;
        ConsumerRecords<byte[], byte[]> records = consumer.poll(wait);
        boolean stored = false;
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            if (commands.grouped() && !java.util.Arrays.equals(record.key(), deviceKey)) {
                if (record.key() == null || record.key().length == 0) {
                    LOG.warn("{}record at offset {} of the group's topic {} has no key: no device of the group "
                            + "carries it out (a group's commands are keyed by device id)", logPrefix,
                            record.offset(), partition.topic());
                }
                skipped.incrementAndGet();
                if (skippedSinceMillis == 0) {
                    skippedSinceMillis = clock.millis();
                }
                continue;
            }
            received.incrementAndGet();
            stored = true;
            store(CommandRecords.read(record, clock.millis(), commands.defaultTtl()));
        }
        if (readingDesired) {
            records.records(desiredPartition).forEach(desired::apply);
            offerDesiredState();
        }
        deliveries.workOnTheDevice();
        boolean ownRecords = commands.grouped() ? stored : !records.isEmpty();
        if (ownRecords || queue.hasUnforwarded()
                || skippedSinceMillis != 0 && clock.millis() - skippedSinceMillis >= SKIPPED_COMMIT_MILLIS) {
            commit();
        }
        writeStatusEvery5s();
    }

    /** Rewrites the status file {@code bin/edge status} reads ({@link CommandStatusFile}) at most every 5 s. */
    private void writeStatusEvery5s() {
        long now = clock.millis();
        if (now >= nextStatusMillis) {
            nextStatusMillis = now + 5_000;
            CommandStatusFile.write(commands.directory(), state, received.get(), queue.pendingCount(),
                    queue.pendingBytes(), resultsWritten.get(), queue.unforwardedCount(), now, logPrefix);
            DesiredStatusFile.write(commands.directory(), device, readingDesired ? desired : null,
                    queue.lastSettled(DesiredState.ID_PREFIX), now, logPrefix);
        }
    }

    /**
     * Once the desired-state topic is read up to where it ended at connect, and whenever it changes after that, hands
     * the whole document to the agent as a command (a restart with nothing new offers the same id, which the queue
     * knows: it is not carried out twice).
     */
    private void offerDesiredState() throws IOException {
        if (!desired.changed() || consumer.position(desiredPartition) < desiredEndAtConnect) {
            return;
        }
        String id = desired.commandId();
        byte[] payload = desired.offer();
        CommandQueue.Offer offer = queue.offer(id, AGENT_TARGET, payload,
                clock.millis() + DESIRED_STATE_TTL.toMillis(), true);
        LOG.info("{}desired state up to offset {}: {}", logPrefix, id.substring(DesiredState.ID_PREFIX.length()),
                offer.admission());
    }

    private void store(CommandRecords.Incoming incoming) throws IOException {
        switch (incoming) {
            case CommandRecords.Valid v -> queue.offer(v.id(), v.target(), v.payload(), v.expiresAtMillis(),
                    v.responseRequired());
            case CommandRecords.Malformed m -> {
                LOG.warn("{}{}: rejected", logPrefix, m.reason());
                queue.refuse(m.id(), m.target(), m.reason());
            }
        }
    }

    /** Writes the results Kafka lacks and commits the command topic's position, in one transaction. */
    private void commit() throws IOException {
        List<CommandResult> results = queue.unforwarded();
        if (results.size() > RESULTS_PER_TRANSACTION) {
            results = results.subList(0, RESULTS_PER_TRANSACTION);
        }
        long mark = results.isEmpty() ? resultsCommittedUpTo : results.get(results.size() - 1).settleSeq();
        producer.beginTransaction();
        try {
            for (CommandResult result : results) {
                producer.send(CommandRecords.resultRecord(commands.resultsTopic(), device, result));
            }
            long position = consumer.position(partition);
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(position,
                    ResultsMark.of(queue.epoch(), mark))), new ConsumerGroupMetadata(CommandsConfig.groupOf(device)));
            producer.commitTransaction();
        } catch (KafkaException e) {
            if (!(e instanceof ProducerFencedException) && !(e instanceof InvalidProducerEpochException)) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException abort) {
                    LOG.debug("{}abort after a failed commit: {}", logPrefix, abort.toString());
                }
            }
            throw e;
        }
        resultsCommittedUpTo = mark;
        skippedSinceMillis = 0;
        resultsWritten.addAndGet(results.size());
        queue.forwarded(mark);
    }

    private void closeKafka() {
        if (consumer != null) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            consumer = null;
            try {
                c.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.debug("{}consumer close: {}", logPrefix, e.toString());
            }
        }
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.debug("{}producer close: {}", logPrefix, e.toString());
            }
            producer = null;
        }
    }

    /** Sleeps up to {@code millis}, less when closed meanwhile. */
    /**
     * While Kafka cannot be reached (a WAN outage), what is stored on the device goes on: commands are delivered,
     * answers and expiries settle in the queue (fsynced), for {@code millis}. Their results wait there and are written
     * once Kafka is back; nothing is read or committed meanwhile.
     */
    private void deliverWithoutKafka(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (running && System.nanoTime() < end) {
            try {
                deliveries.workOnTheDevice();
                writeStatusEvery5s();
            } catch (IOException e) {
                LOG.warn("{}command queue: {}", logPrefix, e.toString());
            }
            sleep(deliveries.awaitingAnswers() ? 5 : 100);
        }
    }

    private void sleep(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (running && System.nanoTime() < end) {
            try {
                Thread.sleep(Math.min(100, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the thread (a command on its way stays pending in the queue and goes again at the next start). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
