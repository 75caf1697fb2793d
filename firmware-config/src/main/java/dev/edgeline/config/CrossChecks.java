package dev.edgeline.config;

import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks across sections, once every section is read: each stream named once and routed to Kafka, each bus
 * resource claimed by one sensor, and the agent's credentials where the broker asks for passwords.
 */
final class CrossChecks {
    private CrossChecks() {}

    static void hardware(YamlMap root, List<SensorConfig> sensors) {
        Map<String, Integer> claimed = new HashMap<>();
        for (int i = 0; i < sensors.size(); i++) {
            for (String resource : resourcesOf(sensors.get(i))) {
                Integer previous = claimed.putIfAbsent(resource, i);
                if (previous != null) {
                    root.error("sensors[" + i + "]", resource + " is already used by sensors[" + previous + "]");
                }
            }
        }
    }

    private static List<String> resourcesOf(SensorConfig sensor) {
        return switch (sensor) {
            case SensorConfig.Bme280 b -> List.of("I2C bus " + b.i2cBus() + " address 0x" + Integer.toHexString(b.address()));
            case SensorConfig.Ds18b20 d -> List.of("1-Wire device " + d.deviceId());
            case SensorConfig.Mcp3008 a -> List.of("MCP3008 on /dev/spidev" + a.spiBus() + "." + a.chipSelect()
                    + " channel " + a.channel());
            case SensorConfig.DigitalInput d -> List.of("GPIO " + d.pin());
            case SensorConfig.DigitalOutput d -> List.of("GPIO " + d.pin());
            case SensorConfig.SimulatedAnalog ignored -> List.of();
            case SensorConfig.SimulatedDigital ignored -> List.of();
        };
    }

    static void streams(YamlMap root, DeviceIdentity device, AgentConfig agent, BridgeConfig bridge,
                              List<SensorConfig> sensors) {
        Map<String, String> owner = new HashMap<>();
        owner.put(agent.healthStream(), "agent.health-stream");
        owner.put(RecordEnvelope.BROKER_HEALTH_STREAM, "the broker's health stream");
        for (int i = 0; i < sensors.size(); i++) {
            for (String stream : sensors.get(i).streams()) {
                String previous = owner.putIfAbsent(stream, "sensors[" + i + "]");
                if (previous != null) {
                    root.error("sensors[" + i + "].stream", "duplicate stream name '" + stream
                            + "' (already used by " + previous + ")");
                }
                routed(root, "sensors[" + i + "].stream", device, bridge, stream);
            }
        }
        if (!sensors.isEmpty()) {
            routed(root, "agent.health-stream", device, bridge, agent.healthStream());
        }
        routed(root, "kafka.routes", device, bridge, RecordEnvelope.BROKER_HEALTH_STREAM);
    }

    /** With passwords required, the agent needs its own user, which must be in the password file. */
    static void agentCredentials(YamlMap root, BrokerConfig broker, AgentConfig agent, List<SensorConfig> sensors,
                                 Optional<PasswordFile> passwordUsers) {
        Optional<Path> passwords = broker.auth().flatMap(BrokerConfig.BrokerAuth::passwordFile);
        if (passwords.isEmpty() || sensors.isEmpty()) {
            return;
        }
        if (agent.username().isEmpty()) {
            root.error("agent.username", "is required: broker.auth.password-file makes the broker ask every client "
                    + "for a password, the agent included (and agent.password-file)");
            return;
        }
        if (passwordUsers.isPresent() && !passwordUsers.get().hasUser(agent.username())) {
            root.error("agent.username", "'" + agent.username() + "' is not in " + passwords.get());
        }
        Optional<BrokerConfig.ClientAcl> acl = broker.auth().get().aclFor(agent.username());
        if (acl.isPresent() && acl.get().identity() != BrokerConfig.IdentityTrust.TRUSTED) {
            root.error("broker.auth.clients", "the agent's user '" + agent.username() + "' needs identity: trusted "
                    + "(or no entry: it then may publish on edge/<device>/+ with its identity)");
        }
    }

    /**
     * A broker with a password file refuses anonymous clients: the command bridge then needs its own user, or it
     * would be refused at every attempt, silently to the cloud. An error now, not a refusal later. A digital output
     * without commands could never be switched. A device id that starts like a group's topic names
     * ({@code group.}) could read a group's commands through its own topic's name.
     */
    static void commands(YamlMap root, DeviceIdentity device, BrokerConfig broker, BridgeConfig bridge,
                         List<SensorConfig> sensors) {
        if (bridge.commands().enabled() && device.id().startsWith(CommandsConfig.GROUP_TOPIC_INFIX)) {
            root.error("device.id", "'" + device.id() + "' starts with '" + CommandsConfig.GROUP_TOPIC_INFIX
                    + "', which names command groups' topics (" + bridge.commands().topicPrefix()
                    + CommandsConfig.GROUP_TOPIC_INFIX + "<group>): with kafka.commands.enabled a device id may not");
        }
        for (int i = 0; i < sensors.size(); i++) {
            if (sensors.get(i) instanceof SensorConfig.DigitalOutput && !bridge.commands().enabled()) {
                root.error("sensors[" + i + "]", "a digital-output is switched by commands: it needs "
                        + "kafka.commands.enabled: true (without it the output could never leave its safe state)");
            }
        }
        if (bridge.commands().enabled() && bridge.commands().mqttUsername().isEmpty()
                && broker.auth().flatMap(BrokerConfig.BrokerAuth::passwordFile).isPresent()) {
            root.error("kafka.commands.mqtt-username", "is required with broker.auth.password-file: the command "
                    + "bridge logs in to the local broker as this user (its password in kafka.commands."
                    + "mqtt-password-file, its line in the broker's password file)");
        }
    }

    private static void routed(YamlMap root, String path, DeviceIdentity device, BridgeConfig bridge,
                                    String stream) {
        String topic = RecordEnvelope.readingTopic(device.id(), stream);
        if (!bridge.routes().isEmpty() && !bridge.isBridged(topic)) {
            root.error(path, "stream '" + stream + "' publishes on " + topic
                    + ", which no kafka.routes entry matches, so it would never reach Kafka");
        }
    }
}
