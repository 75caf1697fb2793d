package dev.edgeline.config;

import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Reads {@code monitoring}: where each service serves /metrics and /health. */
final class MonitoringSection {
    private final ConfigFiles files;

    MonitoringSection(ConfigFiles files) {
        this.files = files;
    }

    MonitoringConfig read(YamlMap m) {
        String host = m.string("host");
        int brokerPort = m.integer("broker-port");
        int bridgePort = m.integer("bridge-port");
        Duration stallAfter = m.duration("stall-after");
        Optional<Path> tokenFile = files.readableFile(m, "bearer-token-file", DeviceService.BROKER,
                DeviceService.BRIDGE);
        m.rejectUnknownKeys();
        if (host != null && BrokerSection.loopbackOf(host).isEmpty()) {
            m.error("host", "'" + host + "' is not an IP address to bind (such as 127.0.0.1 or 0.0.0.0) or localhost");
        }
        if (brokerPort == bridgePort) {
            m.error("bridge-port", bridgePort + " is also broker-port: the two services need a port each");
        }
        if (stallAfter != null && stallAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            m.error("stall-after", stallAfter + " is below the 1 s minimum");
        }
        return new MonitoringConfig(m.orDefault(host, "host"), brokerPort, bridgePort,
                stallAfter == null ? MonitoringConfig.DEFAULT_STALL_AFTER : stallAfter, tokenFile);
    }
}
