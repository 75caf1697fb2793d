package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.ReadingListener;
import dev.edgeline.config.AgentConfig;
import dev.edgeline.config.RecordEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * Publishes readings with Paho MQTT 5 at QoS 1 and owns their reliability: a reading stays in this publisher's
 * outbox until the broker acknowledged it with a success reason code (which our broker sends only once the reading
 * is durable in its spool). On connection loss every unacknowledged reading goes back to the front of the outbox, in
 * order, and is published again after reconnecting; the broker recognises retransmissions by their identity.
 *
 * <p>The in-flight window is bounded by the smaller of {@code max-in-flight} and the broker's receive maximum, so
 * Paho never fails with "too many publishes in progress". The outbox holds at most {@code buffer-readings} readings;
 * beyond that the oldest not-in-flight reading is dropped and counted (logged once per outage).
 *
 * <p>Threads: one owner thread ({@code agent-publisher}) connects and publishes; Paho's callback thread only updates
 * the outbox under its lock and signals. {@link #enqueue} may be called from any thread and never blocks.
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
    private final Deque<Entry> outbox = new ArrayDeque<>();
    private final Map<Long, Entry> inFlight = new LinkedHashMap<>();
    private long nextOrder;
    private int window = 1;
    private boolean connected;
    private boolean droppingLogged;
    private volatile boolean running = true;

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refusedByBroker = new AtomicLong();

    /** A reading on its way; {@code order} is its place in the outbox. */
    private static final class Entry {
        final long order;
        final Reading reading;
        final byte[] payload;

        Entry(long order, Reading reading) {
            this.order = order;
            this.reading = reading;
            this.payload = reading.toJson().getBytes(StandardCharsets.UTF_8);
        }
    }

    public MqttPublisher(AgentConfig config, String deviceId, ReadingListener listener) throws MqttException {
        this.config = config;
        this.deviceId = deviceId;
        this.listener = listener;
        this.logPrefix = "[Agent device=" + deviceId + "] ";
        this.client = new MqttAsyncClient(config.brokerUri(), "edge-agent-" + deviceId, new MemoryPersistence());
        this.client.setCallback(new Callbacks());
        this.thread = Thread.ofPlatform().name("agent-publisher").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Adds a reading to the outbox. */
    public void enqueue(Reading reading) {
        lock.lock();
        try {
            outbox.addLast(new Entry(nextOrder++, reading));
            if (outbox.size() > config.bufferReadings()) {
                Entry oldest = outbox.pollFirst();
                dropped.incrementAndGet();
                if (!droppingLogged) {
                    droppingLogged = true;
                    LOG.warn("{}outbox full ({} readings): dropping the oldest unsent readings, first {}/{}", logPrefix,
                            config.bufferReadings(), oldest.reading.stream(), oldest.reading.seq());
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Readings acknowledged by the broker since start. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Readings dropped because the outbox was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Waits until every enqueued reading is acknowledged; returns whether that happened within {@code timeout}. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!outbox.isEmpty() || !inFlight.isEmpty()) {
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
        long reconnectDelay = 100;
        while (running) {
            try {
                if (!isConnected()) {
                    if (connect()) {
                        reconnectDelay = 100;
                    } else {
                        long max = Math.max(100, config.reconnectDelayMax().toMillis());
                        reconnectDelay = Math.min(max, reconnectDelay * 2);
                        sleep(reconnectDelay / 2 + ThreadLocalRandom.current().nextLong(reconnectDelay / 2 + 1));
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

    private boolean isConnected() {
        lock.lock();
        try {
            return connected;
        } finally {
            lock.unlock();
        }
    }

    private boolean connect() throws InterruptedException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        try {
            IMqttToken token = client.connect(options);
            token.waitForCompletion(15_000);
            Integer receiveMaximum = token.getResponseProperties() == null ? null
                    : token.getResponseProperties().getReceiveMaximum();
            lock.lock();
            try {
                window = Math.max(1, Math.min(config.maxInFlight(), receiveMaximum == null ? 65_535 : receiveMaximum));
                connected = true;
                droppingLogged = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.info("{}connected to {} (in-flight window {})", logPrefix, config.brokerUri(), window);
            return true;
        } catch (MqttException e) {
            LOG.debug("{}connect to {} failed: {}", logPrefix, config.brokerUri(), e.toString());
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

    /** Waits for a reading to send and room in the window; moves it to in-flight. Null when there is nothing now. */
    private Entry takeNextToSend() throws InterruptedException {
        lock.lock();
        try {
            while (running && connected && (outbox.isEmpty() || inFlight.size() >= window)) {
                changed.await();
            }
            if (!running || !connected) {
                return null;
            }
            Entry entry = outbox.pollFirst();
            inFlight.put(entry.order, entry);
            return entry;
        } finally {
            lock.unlock();
        }
    }

    private void send(Entry entry) throws InterruptedException {
        Reading r = entry.reading;
        MqttMessage message = new MqttMessage(entry.payload);
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
                if (inFlight.remove(e.order) != null) {
                    back.add(e);
                }
            }
            back.sort(Comparator.comparingLong((Entry e) -> e.order).reversed());
            for (Entry e : back) {
                outbox.addFirst(e);
            }
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
                        entry.reading.stream(), entry.reading.seq(), Integer.toHexString(codes[0]));
                requeue(List.of(entry));
                return;
            }
            lock.lock();
            try {
                if (inFlight.remove(entry.order) == null) {
                    // Requeued by a disconnect, but the ack arrived: it is durable, do not send it again.
                    if (!outbox.removeIf(e -> e.order == entry.order)) {
                        return; // acknowledged before, through an earlier token
                    }
                }
                // Told before waiters wake, so that awaitEmpty() returning means every listener call has happened.
                acknowledged.incrementAndGet();
                listener.acknowledged(entry.reading);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            Entry entry = (Entry) token.getUserContext();
            LOG.debug("{}publish of {}/{} failed: {}", logPrefix, entry.reading.stream(), entry.reading.seq(),
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
            // Handled per publish by PublishOutcome.
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
        int unsent;
        lock.lock();
        try {
            unsent = outbox.size() + inFlight.size();
        } finally {
            lock.unlock();
        }
        if (unsent > 0) {
            LOG.warn("{}stopped with {} unacknowledged reading(s) in memory (they are lost with this process)",
                    logPrefix, unsent);
        }
        LOG.info("{}publisher stopped: {} acknowledged, {} dropped, {} refused by the broker", logPrefix,
                acknowledged.get(), dropped.get(), refusedByBroker.get());
    }
}
