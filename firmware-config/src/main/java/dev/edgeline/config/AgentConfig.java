package dev.edgeline.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The sensor agent.
 *
 * @param brokerUri          MQTT server URI the agent publishes to, e.g. {@code tcp://127.0.0.1:1883}
 * @param stateDirectory     boot counter, sequence reservations and the outbox live here
 * @param maxInFlight        unacknowledged QoS 1 publishes allowed at once (bounds Paho's window)
 * @param outboxBudgetBytes  disk the outbox may use for readings not yet acknowledged; beyond it the oldest are
 *                           dropped, counted and reported on the health stream
 * @param outboxSyncInterval how often the outbox is fsynced while readings wait (bounds what a power cut can take)
 * @param reconnectDelayMax  upper bound of the jittered reconnect backoff
 * @param sessionExpiry      how long the broker keeps the agent's MQTT session after a disconnect (persistent session)
 * @param healthStream       stream for health records (sensor failures and recoveries, outbox overflow)
 * @param oneWireDirectory   where the kernel's w1 driver exposes 1-Wire devices ({@code /sys/bus/w1/devices})
 * @param retryBackoffMax    longest wait between retries of a failing sensor
 * @param username           MQTT user name ({@code ""}: none, for a broker without passwords)
 * @param passwordFile       file holding the MQTT password (trailing newline ignored)
 */
public record AgentConfig(
        String brokerUri,
        Path stateDirectory,
        int maxInFlight,
        long outboxBudgetBytes,
        Duration outboxSyncInterval,
        Duration reconnectDelayMax,
        Duration sessionExpiry,
        String healthStream,
        Path oneWireDirectory,
        Duration retryBackoffMax,
        String username,
        java.util.Optional<Path> passwordFile) {

    public static final String DEFAULT_HEALTH_STREAM = ConfigSchema.key("agent.health-stream").defaultString();

    /** The MQTT client id the agent of {@code device} connects with (the broker reserves it for the agent's user). */
    public static String clientIdOf(String device) {
        return "edge-agent-" + device;
    }
    public static final Path DEFAULT_ONE_WIRE_DIRECTORY =
            Path.of(ConfigSchema.key("agent.one-wire-directory").defaultString());

    /** Defaults for everything but the broker and the state directory. */
    public static AgentConfig defaults(String brokerUri, Path stateDirectory) {
        return new AgentConfig(brokerUri, stateDirectory, ConfigSchema.key("agent.max-in-flight").defaultInt(),
                ConfigSchema.key("agent.outbox-budget-bytes").defaultLong(),
                ConfigSchema.key("agent.outbox-sync-interval").defaultDuration(),
                ConfigSchema.key("agent.reconnect-delay-max").defaultDuration(),
                ConfigSchema.key("agent.session-expiry").defaultDuration(), DEFAULT_HEALTH_STREAM,
                DEFAULT_ONE_WIRE_DIRECTORY, ConfigSchema.key("agent.sensor-retry-max").defaultDuration(), "",
                java.util.Optional.empty());
    }
}
