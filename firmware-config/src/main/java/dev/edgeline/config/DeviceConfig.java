package dev.edgeline.config;

import java.util.List;
import java.util.Optional;

/**
 * The whole configuration of one device, loaded once at start from its YAML file by {@link ConfigLoader}.
 * Immutable; every component receives the part it needs through its constructor. {@code files}: every file the
 * configuration names (certificates, keys, password files, tokens), with the services that read each.
 */
public record DeviceConfig(
        DeviceIdentity device,
        BrokerConfig broker,
        SpoolConfig spool,
        AgentConfig agent,
        BridgeConfig bridge,
        List<SensorConfig> sensors,
        Optional<MonitoringConfig> monitoring,
        List<NamedFile> files) {

    public DeviceConfig {
        sensors = List.copyOf(sensors);
        files = List.copyOf(files);
    }
}
