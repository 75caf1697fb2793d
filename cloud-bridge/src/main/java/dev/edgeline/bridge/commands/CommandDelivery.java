package dev.edgeline.bridge.commands;

import dev.edgeline.config.CommandsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
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
 * The command bridge's MQTT 5 client on the local broker (client id {@code edge-commands-<device>}, Paho, nothing
 * persisted by Paho: the queue is the durable store). Publishes a command QoS 1 to
 * {@code edge/<device>/commands/<target>} with response topic {@code edge/<device>/commands/<target>/response},
 * correlation data and user property {@code command_id} (the command's id), {@code expires_at} and a message expiry
 * interval of the time it has left; subscribes to every target's response topic. A response is matched by its
 * correlation data, else its {@code command_id} user property; user property {@code status} {@code rejected} (with
 * {@code reason}) rejects the command, anything else completes it.
 *
 * <p>Events reach the bridge through {@code events}, on Paho's threads.
 */
final class CommandDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDelivery.class);
    static final String STATUS = "status";
    static final String REASON = "reason";

    private final String serverUri;
    private final String topicPrefix;
    private final Consumer<DeliveryEvent> events;
    private final MqttAsyncClient client;
    private final String username;
    private final Optional<Path> passwordFile;
    /** The reason code of the last refused connect (-1: none): a refusal is logged once, not at every retry. */
    private int lastRefusal = -1;

    /**
     * @param username     the user it logs in as ("" for none: a broker without a password file)
     * @param passwordFile that user's password, read at every connect (a rotated one is picked up)
     */
    CommandDelivery(String serverUri, String device, String username, Optional<Path> passwordFile,
                    Consumer<DeliveryEvent> events) throws MqttException {
        this.serverUri = serverUri;
        this.topicPrefix = "edge/" + device + "/commands/";
        this.events = events;
        this.username = username;
        this.passwordFile = passwordFile;
        this.client = new MqttAsyncClient(serverUri, CommandsConfig.mqttClientIdOf(device), new MemoryPersistence());
        client.setCallback(new Callback());
    }

    /** The outcome of {@link #connect}. */
    enum Connection {
        /** Not connected (retried by the caller). */
        FAILED,
        /** Connected to a broker that kept this client's session: answers sent meanwhile wait in it. */
        SESSION_KEPT,
        /** Connected with a new session (the broker restarted): answers sent before it are lost. */
        NEW_SESSION
    }

    /** Connects and subscribes to the responses. */
    Connection connect() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(7L * 24 * 3600);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        try {
            if (!username.isEmpty()) {
                options.setUserName(username);
                options.setPassword(Files.readString(passwordFile.orElseThrow(), StandardCharsets.UTF_8).strip()
                        .getBytes(StandardCharsets.UTF_8));
            }
            IMqttToken connected = client.connect(options);
            connected.waitForCompletion(15_000);
            lastRefusal = -1;
            IMqttToken subscribed = client.subscribe(new MqttSubscription(topicPrefix + "+/response", 1));
            subscribed.waitForCompletion(15_000);
            int[] codes = subscribed.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                LOG.warn("[Commands {}] the broker refused the subscription to the responses (reason code 0x{}): "
                        + "check the command bridge's user in broker.auth", topicPrefix, Integer.toHexString(codes[0]));
                disconnectQuietly();
                return Connection.FAILED;
            }
            boolean kept = connected.getSessionPresent();
            LOG.info("[Commands {}] connected to {} ({})", topicPrefix, serverUri, kept ? "session kept"
                    : "new session");
            return kept ? Connection.SESSION_KEPT : Connection.NEW_SESSION;
        } catch (IOException e) {
            LOG.warn("[Commands {}] cannot read kafka.commands.mqtt-password-file: {}", topicPrefix, e.toString());
            return Connection.FAILED;
        } catch (MqttException e) {
            boolean refused = e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87 || e.getReasonCode() == 0x85;
            if (refused && e.getReasonCode() != lastRefusal) {
                LOG.warn("[Commands {}] the broker {} refused the command bridge (reason code 0x{}): check "
                        + "kafka.commands.mqtt-username and mqtt-password-file; retrying", topicPrefix, serverUri,
                        Integer.toHexString(e.getReasonCode()));
            } else {
                LOG.debug("[Commands {}] connect to {} failed: {}", topicPrefix, serverUri, e.toString());
            }
            lastRefusal = refused ? e.getReasonCode() : -1;
            if (client.isConnected()) {
                disconnectQuietly();
            }
            return Connection.FAILED;
        }
    }

    boolean connected() {
        return client.isConnected();
    }

    /** Publishes {@code command}; the outcome comes as an event. False when not connected. */
    boolean publish(Command command) {
        MqttMessage message = new MqttMessage(command.payload());
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        String topic = topicPrefix + command.target();
        properties.setResponseTopic(topic + "/response");
        properties.setCorrelationData(command.id().getBytes(StandardCharsets.UTF_8));
        List<UserProperty> user = new ArrayList<>(List.of(new UserProperty(CommandRecords.COMMAND_ID, command.id())));
        if (command.expiresAtMillis() != Command.NEVER) {
            user.add(new UserProperty(CommandRecords.EXPIRES_AT, Instant.ofEpochMilli(command.expiresAtMillis())
                    .toString()));
            long left = Math.max(1, (command.expiresAtMillis() - System.currentTimeMillis() + 999) / 1000);
            properties.setMessageExpiryInterval(left);
        }
        properties.setUserProperties(user);
        message.setProperties(properties);
        try {
            client.publish(topic, message, command.id(), new Outcome());
            return true;
        } catch (MqttException e) {
            LOG.debug("[Commands {}] publish of {} failed: {}", topicPrefix, command.id(), e.toString());
            return false;
        }
    }

    private final class Outcome implements MqttActionListener {
        @Override
        public void onSuccess(IMqttToken token) {
            int[] codes = token.getReasonCodes();
            events.accept(new DeliveryEvent.Acknowledged((String) token.getUserContext(),
                    codes == null || codes.length == 0 ? 0 : codes[0]));
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
            events.accept(new DeliveryEvent.NotAcknowledged((String) token.getUserContext(), String.valueOf(failure)));
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            events.accept(new DeliveryEvent.ConnectionLost(String.valueOf(response)));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("[Commands {}] MQTT error: {}", topicPrefix, exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            MqttProperties properties = message.getProperties();
            String id = null;
            String status = "";
            String reason = "";
            if (properties != null) {
                if (properties.getCorrelationData() != null) {
                    id = new String(properties.getCorrelationData(), StandardCharsets.UTF_8);
                }
                for (UserProperty property : properties.getUserProperties()) {
                    switch (property.getKey()) {
                        case CommandRecords.COMMAND_ID -> id = id == null ? property.getValue() : id;
                        case STATUS -> status = property.getValue();
                        case REASON -> reason = property.getValue();
                        default -> { }
                    }
                }
            }
            if (id == null) {
                LOG.warn("[Commands {}] a response on {} names no command (no correlation data, no command_id user "
                        + "property): ignored", topicPrefix, topic);
                return;
            }
            events.accept(new DeliveryEvent.Response(id, "rejected".equals(status), reason, message.getPayload()));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // the publish's own listener reports it
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // connect() subscribes
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication
        }
    }

    private void disconnectQuietly() {
        try {
            client.disconnect().waitForCompletion(5_000);
        } catch (MqttException e) {
            LOG.debug("[Commands {}] disconnect: {}", topicPrefix, e.toString());
        }
    }

    @Override
    public void close() {
        if (client.isConnected()) {
            disconnectQuietly();
        }
        try {
            client.close();
        } catch (MqttException e) {
            LOG.debug("[Commands {}] close: {}", topicPrefix, e.toString());
        }
    }
}
