package dev.edgeline.config.render;

import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import dev.edgeline.config.NamedFile;
import dev.edgeline.config.MonitoringConfig;
import dev.edgeline.config.SensorConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What provisioning needs to know about a device, derived from its configuration: the Unix groups the agent needs
 * for its device files ({@code i2c}, {@code spi}, {@code gpio}), the kernel modules to load at boot
 * ({@code i2c-dev} for I2C), the MQTT port, and where the device itself reaches each service's {@code /health}
 * (the rollout's gate; no monitoring section, no gate), and the board's memory profile (where the bridge runs, each
 * unit's memory limits), the directories each service writes and every file the configuration names with the
 * services that read it (provisioning makes each readable by exactly those services' users). Paths are as the
 * device sees them when rendered with the device's data directory as base. Rendered as {@code provisioning.json}
 * for the Ansible roles.
 */
public record ProvisioningFacts(String deviceId, List<String> agentGroups, List<String> kernelModules,
                                int mqttPort, List<String> streams, Optional<MonitoringConfig> monitoring,
                                MemoryProfile memoryProfile, Directories directories, List<NamedFile> files) {

    /**
     * The directories the services write: the spool (broker and bridge), the broker's data, the agent's state, and
     * with commands the command queue's (whichever runs the bridge runs the command bridge: broker or bridge).
     */
    public record Directories(Path spool, Path brokerData, Path agentState, Optional<Path> commands) {}

    public static ProvisioningFacts of(DeviceConfig config, MemoryProfile memoryProfile) {
        TreeSet<String> groups = new TreeSet<>();
        TreeSet<String> modules = new TreeSet<>();
        List<String> streams = new ArrayList<>();
        for (SensorConfig sensor : config.sensors()) {
            switch (sensor.bus()) {
                case I2C -> {
                    groups.add("i2c");
                    modules.add("i2c-dev");
                }
                case SPI -> groups.add("spi");
                case GPIO -> groups.add("gpio");
                case ONE_WIRE, NONE -> { }
            }
            streams.addAll(sensor.streams());
        }
        Directories directories = new Directories(config.spool().directory(), config.broker().dataDirectory(),
                config.agent().stateDirectory(), config.bridge().commands().enabled()
                ? Optional.of(config.bridge().commands().directory()) : Optional.empty());
        return new ProvisioningFacts(config.device().id(), List.copyOf(groups), List.copyOf(modules),
                config.broker().port(), List.copyOf(streams), config.monitoring(), memoryProfile, directories,
                config.files());
    }

    /** {@code http://HOST:PORT/health} as seen from the device: a wildcard bind is reached on loopback. */
    private static String healthUrl(MonitoringConfig monitoring, int port) {
        String host = switch (monitoring.host()) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::" -> "[::1]";
            default -> monitoring.host().contains(":") ? "[" + monitoring.host() + "]" : monitoring.host();
        };
        return "http://" + host + ":" + port + "/health";
    }

    public String toJson() {
        return "{\n  \"device\": " + quote(deviceId) + ",\n  \"agent_groups\": " + array(agentGroups)
                + ",\n  \"kernel_modules\": " + array(kernelModules) + ",\n  \"mqtt_port\": " + mqttPort
                + ",\n  \"streams\": " + array(streams)
                + ",\n  \"broker_health_url\": " + monitoring.map(m -> quote(healthUrl(m, m.brokerPort()))).orElse("null")
                + ",\n  \"bridge_health_url\": " + monitoring.map(m -> quote(healthUrl(m, m.bridgePort()))).orElse("null")
                + ",\n  \"memory_profile\": " + memoryProfile.toJson()
                + ",\n  \"directories\": {\"spool\": " + quote(directories.spool().toString())
                + ", \"broker_data\": " + quote(directories.brokerData().toString())
                + ", \"agent_state\": " + quote(directories.agentState().toString())
                + ", \"commands\": " + directories.commands().map(d -> quote(d.toString())).orElse("null") + "}"
                + ",\n  \"files\": [" + String.join(",", files.stream().map(ProvisioningFacts::fileJson).toList())
                + (files.isEmpty() ? "]" : "\n  ]")
                + "\n}\n";
    }

    private static String fileJson(NamedFile file) {
        List<String> readers = file.readers().stream().sorted().map(DeviceService::configName).toList();
        return "\n    {\"key\": " + quote(file.key()) + ", \"path\": " + quote(file.path().toString())
                + ", \"readers\": " + array(readers) + "}";
    }

    private static String array(List<String> values) {
        return "[" + String.join(", ", values.stream().map(ProvisioningFacts::quote).toList()) + "]";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
