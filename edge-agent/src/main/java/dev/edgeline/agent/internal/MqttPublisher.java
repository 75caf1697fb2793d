package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.ReadingListener;
import dev.edgeline.agent.internal.DiskOutbox.Entry;
import dev.edgeline.config.AgentConfig;
import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.time.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
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
 * persistence is in memory only (the outbox holds every unacknowledged reading). The in-flight window is the smaller of
 * {@code max-in-flight} and the broker's receive maximum, so Paho never fails with "too many publishes in
 * progress". Reconnects back off with jitter up to {@code reconnect-delay-max}.
 *
 * <p>Threads: one owner thread ({@code agent-publisher}) connects, publishes and syncs the outbox every
 * {@code outbox-sync-interval}; Paho's callback thread only updates the outbox under the lock and signals.
 * {@link #enqueue} may be called from any thread; it appends to the outbox file and never waits for the network.
 * The outbox and what is in flight are {@link OutboxDrain}'s; connecting is {@link BrokerSession}'s.
 */
public final class MqttPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

    private final AgentConfig config;
    private final String deviceId;
    private final ReadingListener listener;
    private final MqttAsyncClient client;
    private final BrokerSession session;
    private final OutboxDrain drain;
    private final Thread thread;
    private final String logPrefix;
    private volatile boolean running = true;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong refusedByBroker = new AtomicLong();

    /**
     * @param overflowListener told, on the publisher thread, about readings the outbox dropped over its budget
     */
    public MqttPublisher(AgentConfig config, String deviceId, ReadingListener listener,
                         Consumer<DiskOutbox.Overflow> overflowListener) throws MqttException, IOException {
        this.config = config;
        this.deviceId = deviceId;
        this.listener = listener;
        this.logPrefix = "[Agent device=" + deviceId + "] ";
        this.drain = new OutboxDrain(new DiskOutbox(config.stateDirectory().resolve("outbox"),
                config.outboxBudgetBytes()), overflowListener, logPrefix);
        BrokerSession.removeFilePersistence(config.stateDirectory().resolve("paho"), logPrefix);
        // In memory: the outbox already keeps every unacknowledged reading across restarts and power cuts. Paho's
        // files were a second copy that a power cut can tear, and Paho resends a torn one at every reconnect, for
        // ever (the broker disconnects it for a protocol error each time).
        this.client = new MqttAsyncClient(config.brokerUri(), AgentConfig.clientIdOf(deviceId),
                new MemoryPersistence());
        this.client.setCallback(new Callbacks());
        this.session = new BrokerSession(config, client, logPrefix);
        this.thread = Thread.ofPlatform().name("agent-publisher").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Appends a reading to the outbox (written at once, fsynced by the publisher thread). */
    public void enqueue(Reading reading) {
        drain.enqueue(reading);
    }

    /** Appends a reading to the outbox and fsyncs it before returning: it will be delivered, whatever happens next. */
    public void enqueueDurably(Reading reading) throws IOException {
        drain.enqueueDurably(reading);
    }

    /** Readings acknowledged by the broker since start. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Readings lost in the agent: dropped over the outbox budget, or not storable at all. */
    public long dropped() {
        return drain.dropped();
    }

    /** Readings waiting for the broker's acknowledgement (in flight, in memory or on disk). */
    public long pending() {
        return drain.pending();
    }

    /** Waits until every enqueued reading is acknowledged; returns whether that happened within {@code timeout}. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        return drain.awaitEmpty(timeout);
    }

    private void run() {
        Backoff reconnectBackoff = new Backoff(Duration.ofMillis(100), config.reconnectDelayMax(),
                Backoff.Jitter.EQUAL, ThreadLocalRandom.current());
        long nextSync = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextSync >= 0) {
                    drain.sync();
                    nextSync = System.nanoTime() + config.outboxSyncInterval().toNanos();
                }
                if (!drain.isConnected()) {
                    OptionalInt window = session.connect();
                    if (window.isPresent()) {
                        drain.connected(window.getAsInt());
                        reconnectBackoff.reset();
                    } else {
                        Thread.sleep(reconnectBackoff.next().toMillis());
                    }
                    continue;
                }
                Entry next = drain.takeNextToSend(config.outboxSyncInterval());
                if (next != null) {
                    send(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void send(Entry entry) throws InterruptedException {
        Reading r = entry.reading();
        try {
            client.publish(RecordEnvelope.readingTopic(deviceId, r.stream()), messageOf(r), entry, new PublishOutcome());
        } catch (MqttException e) {
            // Not sent (window momentarily full inside Paho, or the connection just dropped): back to the front.
            drain.giveBack(List.of(entry));
            if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                Thread.sleep(5);
            } else {
                LOG.debug("{}publish failed, will retry: {}", logPrefix, e.toString());
                drain.disconnected();
            }
        }
    }

    /** A reading as the agent publishes it: QoS 1, its identity in MQTT 5 user properties, JSON content type. */
    static MqttMessage messageOf(Reading r) {
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
        return message;
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
                drain.giveBack(List.of(entry));
                return;
            }
            // Told before waiters wake, so that awaitEmpty() returning means every listener call has happened.
            drain.acknowledged(entry, () -> {
                acknowledged.incrementAndGet();
                listener.acknowledged(entry.reading());
            });
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            Entry entry = (Entry) token.getUserContext();
            LOG.debug("{}publish of {}/{} failed: {}", logPrefix, entry.reading().stream(), entry.reading().seq(),
                    String.valueOf(exception));
            drain.giveBack(List.of(entry));
        }
    }

    private final class Callbacks implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            LOG.warn("{}disconnected from {}: {}", logPrefix, config.brokerUri(), response.getReasonString() != null
                    ? response.getReasonString() : String.valueOf(response.getException()));
            drain.disconnected();
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

    @Override
    public void close() {
        running = false;
        drain.stop();
        thread.interrupt();
        try {
            if (thread.getState() != Thread.State.NEW) { // an agent closed without being started
                thread.join(Duration.ofSeconds(5));
            }
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
        long unsent = drain.close();
        if (unsent > 0) {
            LOG.info("{}stopped with {} unacknowledged reading(s) in the outbox; they are published after the restart",
                    logPrefix, unsent);
        }
        LOG.info("{}publisher stopped: {} acknowledged, {} dropped, {} refused by the broker", logPrefix,
                acknowledged.get(), dropped(), refusedByBroker.get());
    }
}
