package dev.edgeline.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The sensor agent.
 *
 * @param brokerUri       MQTT server URI the agent publishes to, e.g. {@code tcp://127.0.0.1:1883}
 * @param stateDirectory  where the boot counter and sequence reservations are persisted
 * @param maxInFlight     unacknowledged QoS 1 publishes allowed at once (bounds Paho's window)
 * @param bufferReadings  readings held while the broker is unreachable before the oldest are dropped
 * @param reconnectDelayMax upper bound of the jittered reconnect backoff
 */
public record AgentConfig(
        String brokerUri,
        Path stateDirectory,
        int maxInFlight,
        int bufferReadings,
        Duration reconnectDelayMax) {}
