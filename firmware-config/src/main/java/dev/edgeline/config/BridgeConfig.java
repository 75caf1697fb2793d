package dev.edgeline.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cloud bridge: where the spooled streams go in Kafka.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param routes           MQTT topic filter to Kafka topic rules; the first matching rule wins, and a publish
 *                         whose topic matches no rule is not spooled or bridged
 * @param batchRecords     most spool records forwarded in one batch
 * @param retryBackoffMax  upper bound of the jittered backoff while Kafka is unreachable
 * @param gapTopic         Kafka topic for gap markers (records that state what the spool lost and why)
 */
public record BridgeConfig(
        String bootstrapServers,
        List<Route> routes,
        int batchRecords,
        Duration retryBackoffMax,
        String gapTopic) {

    public BridgeConfig {
        routes = List.copyOf(routes);
    }

    /** The first route whose filter matches {@code mqttTopic}, if any. */
    public Optional<Route> routeFor(String mqttTopic) {
        for (Route route : routes) {
            if (route.filter().matches(mqttTopic)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Whether a publish on {@code mqttTopic} is bridged (and so must be spooled). */
    public boolean isBridged(String mqttTopic) {
        return routeFor(mqttTopic).isPresent();
    }
}
