package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.ReadingListener;
import dev.edgeline.config.AgentConfig;
import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.agent.internal.DiskOutbox.Entry;
import dev.edgeline.time.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes readings with Paho MQTT 5 at QoS 1 and owns their reliability: a reading is appended to the
 * {@link DiskOutbox} before it is published and stays there until the broker acknowledged it with a success reason
 * code (which our broker sends only once the reading is durable in its spool). On connection loss every
 * unacknowledged reading goes back to the front, in order, and is published again after reconnecting; the broker
 * recognises retransmissions by their identity. Readings left in the outbox by a killed agent are published after the
 * restart, before new ones.
 *
 * <p>The MQTT session is persistent ({@code cleanStart=false}, session expiry from the config) and Paho's own
 * persistence lives in {@code <state>/paho}, never in the working directory. The in-flight window is the smaller of
 * {@code max-in-flight} and the broker's receive maximum, so Paho never fails with "too many publishes in
 * progress". Reconnects back off with jitter up to {@code reconnect-delay-max}.
 *
 * <p>Threads: one owner thread ({@code agent-publisher}) connects, publishes and syncs the outbox every
 * {@code outbox-sync-interval}; Paho's callback thread only updates the outbox under the lock and signals.
 * {@link #enqueue} may be called from any thread; it appends to the outbox file and never waits for the network.
 */
public final class MqttPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

    private final AgentConfig config;
    private final String deviceId;
    private final ReadingListener listener;
    private final MqttAsyncClient client;
    private final Thread thread;
    private final String logPrefix;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final DiskOutbox outbox;
    private final Map<Long, Entry> inFlight = new LinkedHashMap<>();
    private final Consumer<DiskOutbox.Overflow> overflowListener;
    private int window = 1;
    private boolean connected;
    private boolean aliasWarningLogged;
    private volatile boolean running = true;

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong notStored = new AtomicLong();
    private final AtomicLong refusedByBroker = new AtomicLong();

    /**
     * @param overflowListener told, on the publisher thread, about readings the outbox dropped over its budget
     */
    public MqttPublisher(AgentConfig config, String deviceId, ReadingListener listener,
                         Consumer<DiskOutbox.Overflow> overflowListener) throws MqttException, IOException {
        this.config = config;
        this.deviceId = deviceId;
        this.listener = listener;
        this.overflowListener = overflowListener;
        this.logPrefix = "[Agent device=" + deviceId + "] ";
        this.outbox = new DiskOutbox(config.stateDirectory().resolve("outbox"), config.outboxBudgetBytes());
        removeFilePersistence(config.stateDirectory().resolve("paho"));
        // In memory: the outbox already keeps every unacknowledged reading across restarts and power cuts. Paho's
        // files were a second copy that a power cut can tear, and Paho resends a torn one at every reconnect, for
        // ever (the broker disconnects it for a protocol error each time).
        this.client = new MqttAsyncClient(config.brokerUri(), AgentConfig.clientIdOf(deviceId),
                new MemoryPersistence());
        this.client.setCallback(new Callbacks());
        this.thread = Thread.ofPlatform().name("agent-publisher").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Appends a reading to the outbox (written at once, fsynced by the publisher thread). */
    public void enqueue(Reading reading) {
        lock.lock();
        try {
            outbox.append(reading);
            changed.signalAll();
        } catch (IOException e) {
            notStored.incrementAndGet();
            LOG.error("{}cannot store {}/{} in the outbox (disk full?): {}; the reading is lost", logPrefix,
                    reading.stream(), reading.seq(), e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Appends a reading to the outbox and fsyncs it before returning: it will be delivered, whatever happens next. */
    public void enqueueDurably(Reading reading) throws IOException {
        lock.lock();
        try {
            outbox.append(reading);
            outbox.sync();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Readings acknowledged by the broker since start. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Readings lost in the agent: dropped over the outbox budget, or not storable at all. */
    public long dropped() {
        lock.lock();
        try {
            return outbox.dropped() + notStored.get();
        } finally {
            lock.unlock();
        }
    }

    /** Readings waiting for the broker's acknowledgement (in flight, in memory or on disk). */
    public long pending() {
        lock.lock();
        try {
            return outbox.pending();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every enqueued reading is acknowledged; returns whether that happened within {@code timeout}. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (outbox.pending() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Backoff reconnectBackoff = new Backoff(Duration.ofMillis(100), config.reconnectDelayMax(),
                Backoff.Jitter.EQUAL, ThreadLocalRandom.current());
        long nextSync = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextSync >= 0) {
                    syncOutbox();
                    nextSync = System.nanoTime() + config.outboxSyncInterval().toNanos();
                }
                if (!isConnected()) {
                    if (connect()) {
                        reconnectBackoff.reset();
                    } else {
                        sleep(reconnectBackoff.next().toMillis());
                    }
                    continue;
                }
                Entry next = takeNextToSend();
                if (next != null) {
                    send(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void syncOutbox() {
        List<DiskOutbox.Overflow> overflows;
        lock.lock();
        try {
            outbox.sync();
            overflows = outbox.takeOverflow();
        } catch (IOException e) {
            LOG.error("{}cannot sync the outbox: {}", logPrefix, e.toString());
            return;
        } finally {
            lock.unlock();
        }
        overflows.forEach(overflowListener);
    }

    /** The MQTT password from the agent's password file (read at each connect, so a rotated one is picked up). */
    private byte[] readPassword() {
        java.nio.file.Path file = config.passwordFile().orElseThrow();
        try {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).strip()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read agent.password-file " + file, e);
        }
    }

    private boolean isConnected() {
        lock.lock();
        try {
            return connected;
        } finally {
            lock.unlock();
        }
    }

    /** Reason code of the last refused connect (-1: none), so that a refusal is logged once, not every retry. */
    private int lastRefusal = -1;

    private boolean connect() throws InterruptedException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        if (!config.username().isEmpty()) {
            options.setUserName(config.username());
            options.setPassword(readPassword());
        }
        try {
            IMqttToken token = client.connect(options);
            token.waitForCompletion(15_000);
            Integer receiveMaximum = token.getResponseProperties() == null ? null
                    : token.getResponseProperties().getReceiveMaximum();
            Integer topicAliases = token.getResponseProperties() == null ? null
                    : token.getResponseProperties().getTopicAliasMaximum();
            if (topicAliases != null && topicAliases > 0 && !aliasWarningLogged) {
                aliasWarningLogged = true;
                LOG.warn("{}{} allows topic aliases: Paho 1.2.5 may resend persisted publishes with a stale alias "
                        + "after a reconnect (paho.mqtt.java#1104) and be disconnected in a loop; our edge broker "
                        + "disables them", logPrefix, config.brokerUri());
            }
            lock.lock();
            try {
                window = Math.max(1, Math.min(config.maxInFlight(), receiveMaximum == null ? 65_535 : receiveMaximum));
                connected = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.info("{}connected to {} (in-flight window {})", logPrefix, config.brokerUri(), window);
            return true;
        } catch (MqttException e) {
            boolean refused = e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87 || e.getReasonCode() == 0x8C;
            if (refused && e.getReasonCode() != lastRefusal) {
                LOG.warn("{}broker {} refused the connection (reason code 0x{}): check agent.username and "
                        + "agent.password-file; retrying", logPrefix, config.brokerUri(),
                        Integer.toHexString(e.getReasonCode()));
            } else {
                LOG.debug("{}connect to {} failed: {}", logPrefix, config.brokerUri(), e.toString());
            }
            lastRefusal = refused ? e.getReasonCode() : -1;
            if (e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_CONNECTED) {
                lock.lock();
                try {
                    connected = true;
                } finally {
                    lock.unlock();
                }
                return true;
            }
            return false;
        }
    }

    /**
     * Waits (at most until the next outbox sync) for a reading to send and room in the window; moves it to
     * in-flight. Null when there is nothing now.
     */
    private Entry takeNextToSend() throws InterruptedException {
        lock.lock();
        try {
            long waitNanos = config.outboxSyncInterval().toNanos();
            Entry entry = null;
            while (running && connected && inFlight.size() < window && (entry = pollOutbox()) == null) {
                if (waitNanos <= 0) {
                    return null;
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            while (running && connected && entry == null && inFlight.size() >= window && waitNanos > 0) {
                waitNanos = changed.awaitNanos(waitNanos);
            }
            if (entry == null || !running || !connected) {
                if (entry != null) {
                    outbox.giveBack(List.of(entry));
                }
                return null;
            }
            inFlight.put(entry.order(), entry);
            return entry;
        } finally {
            lock.unlock();
        }
    }

    private Entry pollOutbox() {
        try {
            return outbox.poll();
        } catch (IOException e) {
            LOG.error("{}cannot read the outbox: {}", logPrefix, e.toString());
            return null;
        }
    }

    private void send(Entry entry) throws InterruptedException {
        Reading r = entry.reading();
        MqttMessage message = new MqttMessage(r.payload());
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(
                new UserProperty(RecordEnvelope.DEVICE, r.device()),
                new UserProperty(RecordEnvelope.STREAM, r.stream()),
                new UserProperty(RecordEnvelope.BOOT, Long.toString(r.boot())),
                new UserProperty(RecordEnvelope.SEQ, Long.toString(r.seq())),
                new UserProperty(RecordEnvelope.CLOCK_SYNCED, Boolean.toString(r.clockSynced()))));
        properties.setContentType("application/json");
        message.setProperties(properties);
        try {
            client.publish(RecordEnvelope.readingTopic(deviceId, r.stream()), message, entry, new PublishOutcome());
        } catch (MqttException e) {
            // Not sent (window momentarily full inside Paho, or the connection just dropped): back to the front.
            requeue(List.of(entry));
            if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                sleep(5);
            } else {
                LOG.debug("{}publish failed, will retry: {}", logPrefix, e.toString());
                markDisconnected();
            }
        }
    }

    /** Puts entries back in the outbox in their original order, ahead of newer ones. */
    private void requeue(List<Entry> entries) {
        lock.lock();
        try {
            List<Entry> back = new ArrayList<>();
            for (Entry e : entries) {
                if (inFlight.remove(e.order()) != null) {
                    back.add(e);
                }
            }
            outbox.giveBack(back);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void markDisconnected() {
        lock.lock(); // reentrant: requeue() takes it again
        try {
            connected = false;
            requeue(new ArrayList<>(inFlight.values()));
        } finally {
            lock.unlock();
        }
    }

    private final class PublishOutcome implements MqttActionListener {
        @Override
        public void onSuccess(IMqttToken token) {
            Entry entry = (Entry) token.getUserContext();
            int[] codes = token.getReasonCodes();
            boolean refused = codes != null && codes.length > 0 && codes[0] >= 0x80;
            if (refused) {
                refusedByBroker.incrementAndGet();
                LOG.warn("{}broker refused {}/{} (reason code 0x{}); will retry", logPrefix,
                        entry.reading().stream(), entry.reading().seq(), Integer.toHexString(codes[0]));
                requeue(List.of(entry));
                return;
            }
            lock.lock();
            try {
                inFlight.remove(entry.order());
                // False when acknowledged before through an earlier token. If it was given back by a disconnect and
                // the ack arrived anyway, it is durable: acknowledging removes it so that it is not sent again.
                if (!outbox.acknowledge(entry.order())) {
                    return;
                }
                // Told before waiters wake, so that awaitEmpty() returning means every listener call has happened.
                acknowledged.incrementAndGet();
                listener.acknowledged(entry.reading());
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            Entry entry = (Entry) token.getUserContext();
            LOG.debug("{}publish of {}/{} failed: {}", logPrefix, entry.reading().stream(), entry.reading().seq(),
                    String.valueOf(exception));
            requeue(List.of(entry));
        }
    }

    private final class Callbacks implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("{}disconnected from {}: {}", logPrefix, config.brokerUri(), response.getReasonString() != null
                    ? response.getReasonString() : String.valueOf(response.getException()));
            markDisconnected();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("{}MQTT error: {}", logPrefix, exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // The agent subscribes to nothing.
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // Handled per publish by PublishOutcome. Paho's own resends of a previous process's in-flight messages
            // (restored from its persistence) have no outcome listener; their readings are also in our outbox.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // Connection state is set by the owner thread once connect() returns.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // No enhanced authentication.
        }
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (MqttException e) {
            LOG.debug("{}disconnect failed: {}", logPrefix, e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("{}close failed: {}", logPrefix, e.toString());
        }
        long unsent;
        lock.lock();
        try {
            unsent = outbox.pending();
            outbox.close();
        } catch (IOException e) {
            LOG.error("{}cannot close the outbox: {}", logPrefix, e.toString());
            unsent = -1;
        } finally {
            lock.unlock();
        }
        if (unsent > 0) {
            LOG.info("{}stopped with {} unacknowledged reading(s) in the outbox; they are published after the restart",
                    logPrefix, unsent);
        }
        LOG.info("{}publisher stopped: {} acknowledged, {} dropped, {} refused by the broker", logPrefix,
                acknowledged.get(), dropped(), refusedByBroker.get());
    }

    /** Deletes what an earlier release kept in Paho's file persistence (the outbox holds every reading of it). */
    private void removeFilePersistence(Path pahoDirectory) {
        if (!Files.isDirectory(pahoDirectory)) {
            return;
        }
        try (var tree = Files.walk(pahoDirectory)) {
            for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
            LOG.info("{}removed Paho's file persistence {} (no longer used: the outbox resends what it held)",
                    logPrefix, pahoDirectory);
        } catch (IOException e) {
            LOG.warn("{}could not remove {}: {}", logPrefix, pahoDirectory, e.toString());
        }
    }
}
