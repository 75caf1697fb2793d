package dev.edgeline.agent.internal;

import dev.edgeline.agent.driver.DigitalOutputDriver;
import dev.edgeline.config.AgentConfig;
import dev.edgeline.time.Backoff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the agent's commands on the local broker: subscribes to {@code edge/<device>/commands/agent} (QoS 1) with its
 * own MQTT 5 client ({@code edge-agent-<device>-commands}, persistent session), hands each command to the
 * {@link AgentCommandHandler}, publishes the answer to the command's response topic with its correlation data
 * ({@code status: rejected} and {@code reason} for a rejection), and only then acknowledges the command (manual
 * acks): a command whose answer did not reach the broker is delivered again after a reconnect. The agent's commands
 * are idempotent (a setting, an output level) or harmless twice (a read).
 *
 * <p><b>Safe state</b>: whenever the connection to the broker is lost (and so no command could switch an output back),
 * every digital output goes to its configured safe state; it stays there until the connection is back, when the
 * outputs a desired state named return to their desired level (the others wait for a command).
 *
 * <p>Threads: {@code agent-commands} connects, reconnects with backoff and handles commands one at a time, in the
 * order they arrive; Paho's callback thread only queues them.
 */
public final class AgentCommandResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommandResponder.class);

    private final AgentConfig config;
    private final AgentCommandHandler handler;
    private final List<DigitalOutputDriver> outputs;
    private final String topic;
    private final String logPrefix;
    private final MqttAsyncClient client;
    private final BrokerSession session;
    private final LinkedBlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean connected;
    /** Set when the connection was lost: the command thread puts the outputs in their safe state. */
    private volatile String lostBecause;
    private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();

    public AgentCommandResponder(AgentConfig config, String deviceId, AgentCommandHandler handler,
                                 List<DigitalOutputDriver> outputs) throws MqttException {
        this.config = config;
        this.handler = handler;
        this.outputs = List.copyOf(outputs);
        this.topic = "edge/" + deviceId + "/commands/" + AgentCommandHandler.TARGET;
        this.logPrefix = "[Agent device=" + deviceId + " commands] ";
        this.client = new MqttAsyncClient(config.brokerUri(), AgentConfig.clientIdOf(deviceId) + "-commands",
                new MemoryPersistence());
        this.client.setManualAcks(true);
        this.client.setCallback(new Callbacks());
        this.session = new BrokerSession(config, client, logPrefix);
        this.thread = Thread.ofPlatform().name("agent-commands").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Commands answered since start. */
    public long answered() {
        return answered.get();
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), config.reconnectDelayMax(), Backoff.Jitter.EQUAL,
                ThreadLocalRandom.current());
        while (running) {
            try {
                String lost = lostBecause;
                if (lost != null) {
                    lostBecause = null;
                    toSafeState("lost the broker: " + lost);
                }
                if (!connected) {
                    if (session.connect().isPresent() && subscribe()) {
                        connected = true;
                        backoff.reset();
                        applyDesiredOutputs();
                    } else {
                        Thread.sleep(backoff.next().toMillis());
                        continue;
                    }
                }
                Runnable next = work.poll(1, TimeUnit.SECONDS);
                if (next != null) {
                    next.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("{}unexpected: {}", logPrefix, e.toString(), e);
            }
        }
    }

    private boolean subscribe() throws InterruptedException {
        try {
            IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)}, null, null,
                    new MqttProperties());
            token.waitForCompletion(10_000);
            int[] codes = token.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                LOG.warn("{}the broker refused the subscription to {} (reason code 0x{}): check the agent's ACL",
                        logPrefix, topic, Integer.toHexString(codes[0]));
                disconnectQuietly();
                return false;
            }
            LOG.info("{}answering commands on {}", logPrefix, topic);
            return true;
        } catch (MqttException e) {
            LOG.debug("{}subscribe failed: {}", logPrefix, e.toString());
            disconnectQuietly();
            return false;
        }
    }

    private void answer(MqttMessage command) {
        AgentCommandHandler.Answer answer = handler.handle(command.getPayload());
        MqttProperties request = command.getProperties();
        String responseTopic = request == null ? null : request.getResponseTopic();
        try {
            if (responseTopic != null) {
                MqttMessage response = new MqttMessage(answer.json().getBytes(StandardCharsets.UTF_8));
                response.setQos(1);
                MqttProperties properties = new MqttProperties();
                properties.setCorrelationData(request.getCorrelationData());
                List<UserProperty> user = new java.util.ArrayList<>();
                request.getUserProperties().stream().filter(p -> p.getKey().equals("command_id")).forEach(user::add);
                if (answer.rejected()) {
                    user.add(new UserProperty("status", "rejected"));
                    user.add(new UserProperty("reason", answer.reason()));
                }
                properties.setUserProperties(user);
                response.setProperties(properties);
                client.publish(responseTopic, response).waitForCompletion(10_000);
            }
            client.messageArrivedComplete(command.getId(), command.getQos());
            answered.incrementAndGet();
            LOG.info("{}{}: {}", logPrefix, answer.rejected() ? "rejected" : "done",
                    answer.rejected() ? answer.reason() : answer.json());
        } catch (MqttException e) { // not acknowledged: the broker delivers it again after the reconnect
            LOG.warn("{}cannot answer a command: {}", logPrefix, e.toString());
        }
    }

    /** Back from the safe state to what the last desired state asked for, now that commands reach the agent. */
    private void applyDesiredOutputs() {
        try {
            handler.applyDesiredOutputs();
        } catch (IOException e) {
            LOG.error("{}cannot drive the outputs to their desired levels: {}", logPrefix, e.toString());
        }
    }

    private void toSafeState(String why) {
        for (DigitalOutputDriver output : outputs) {
            try {
                boolean before = output.toSafeState();
                if (before != output.config().safeHigh()) {
                    LOG.warn("{}output '{}' set to its safe state ({}): {}", logPrefix, output.config().stream(),
                            output.config().safeHigh() ? "high" : "low", why);
                }
            } catch (IOException e) {
                LOG.error("{}cannot set output '{}' to its safe state: {}", logPrefix, output.config().stream(),
                        e.toString());
            }
        }
    }

    private void disconnectQuietly() {
        try {
            client.disconnect(2_000).waitForCompletion(3_000);
        } catch (MqttException e) {
            LOG.debug("{}disconnect: {}", logPrefix, e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            if (thread.getState() != Thread.State.NEW) {
                thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client.isConnected()) {
            disconnectQuietly();
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("{}close: {}", logPrefix, e.toString());
        }
        toSafeState("the agent stopped");
    }

    private final class Callbacks implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            lost("the broker disconnected (" + response.getReasonString() + ")");
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.debug("{}MQTT error: {}", logPrefix, exception.toString());
        }

        @Override
        public void messageArrived(String arrivedOn, MqttMessage message) {
            work.add(() -> answer(message));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        private void lost(String why) {
            connected = false;
            lostBecause = why;
            work.clear(); // unacknowledged: the broker delivers them again on the next connection
            work.add(() -> { }); // wakes the command thread
        }
    }
}
