package dev.edgeline.agent.internal;

import dev.edgeline.config.AgentConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalInt;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connecting the agent's MQTT client: a persistent session ({@code cleanStart=false}, the configured expiry), the
 * agent's user and password (read from its file at each connect, so that a rotated one is picked up), and the
 * broker's receive maximum, which bounds the in-flight window. A refused connection (bad user or password) is logged
 * once per reason, not at every retry. Publisher thread.
 */
final class BrokerSession {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

    private final AgentConfig config;
    private final MqttAsyncClient client;
    private final String logPrefix;
    /** Reason code of the last refused connect (-1: none), so that a refusal is logged once, not every retry. */
    private int lastRefusal = -1;
    private boolean aliasWarningLogged;

    BrokerSession(AgentConfig config, MqttAsyncClient client, String logPrefix) {
        this.config = config;
        this.client = client;
        this.logPrefix = logPrefix;
    }

    /**
     * Connects; the in-flight window the broker allows (the configured one, capped by its receive maximum; 0 when
     * Paho says it is connected already, and the window is the one of that connection), or empty when the connection
     * failed (retried by the caller with backoff).
     */
    OptionalInt connect() throws InterruptedException {
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
            int window = Math.max(1, Math.min(config.maxInFlight(), receiveMaximum == null ? 65_535 : receiveMaximum));
            LOG.info("{}connected to {} (in-flight window {})", logPrefix, config.brokerUri(), window);
            return OptionalInt.of(window);
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
                return OptionalInt.of(0);
            }
            return OptionalInt.empty();
        }
    }

    /** The MQTT password from the agent's password file. */
    private byte[] readPassword() {
        Path file = config.passwordFile().orElseThrow();
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read agent.password-file " + file, e);
        }
    }

    /** Deletes what an earlier release kept in Paho's file persistence (the outbox holds every reading of it). */
    static void removeFilePersistence(Path pahoDirectory, String logPrefix) {
        if (!Files.isDirectory(pahoDirectory)) {
            return;
        }
        try (var tree = Files.walk(pahoDirectory)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
            LOG.info("{}removed Paho's file persistence {} (no longer used: the outbox resends what it held)",
                    logPrefix, pahoDirectory);
        } catch (IOException e) {
            LOG.warn("{}could not remove {}: {}", logPrefix, pahoDirectory, e.toString());
        }
    }
}
