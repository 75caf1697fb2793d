package dev.edgeline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The operators' view of a device ({@code monitoring:} in the device YAML): where each service serves its Prometheus
 * metrics and {@code /health}, and when a backlog that does not move counts as a stall.
 *
 * <p>Absent from the YAML, no HTTP endpoint is opened (a developer's config, or a test starting several brokers in
 * one process); provisioned devices always have it. {@code /health} answers 503 once the spool has records waiting
 * and nothing was committed to Kafka for {@link #stallAfter}; under systemd the same check gates the watchdog.
 *
 * @param host       address both endpoints bind (loopback unless the operator's scraper is on the LAN)
 * @param brokerPort the edge-broker service's port (with the bridge in-process, its meters are served here too)
 * @param bridgePort the edge-bridge service's port when the bridge runs as its own process
 * @param stallAfter how long a waiting backlog may go without a Kafka commit before health fails
 * @param bearerTokenFile a file holding a token that requests from other hosts must carry
 *                   ({@code Authorization: Bearer <token>}); requests from this device itself (loopback) need none
 */
public record MonitoringConfig(String host, int brokerPort, int bridgePort, Duration stallAfter,
                               Optional<Path> bearerTokenFile) {
    public MonitoringConfig(String host, int brokerPort, int bridgePort, Duration stallAfter) {
        this(host, brokerPort, bridgePort, stallAfter, Optional.empty());
    }

    public static final int DEFAULT_BROKER_PORT = ConfigSchema.key("monitoring.broker-port").defaultInt();
    public static final int DEFAULT_BRIDGE_PORT = ConfigSchema.key("monitoring.bridge-port").defaultInt();
    public static final Duration DEFAULT_STALL_AFTER = ConfigSchema.key("monitoring.stall-after").defaultDuration();
}
