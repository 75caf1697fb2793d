package dev.edgeline.appliance;

import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka client settings of an operator's command ({@code edge command send}, {@code edge command desired}): the
 * device configuration's security settings and bootstrap servers, {@code --bootstrap B} instead of the latter; and
 * the command topics' names, {@code --group G} for a device of another group ({@code --group ""}: of none) than the
 * configuration's.
 */
final class OperatorKafka {
    private OperatorKafka() {}

    /** @throws IOException when a file the security settings name (a password, a CA) cannot be read */
    static Properties clientProperties(DeviceConfig config, Arguments parsed) throws IOException {
        Properties p = new Properties();
        p.putAll(SecurityProperties.of(config.bridge().security()));
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, parsed.option("bootstrap")
                .orElse(config.bridge().bootstrapServers()));
        return p;
    }

    /** The configuration's command settings, for the group {@code --group} names if it does. */
    static dev.edgeline.config.CommandsConfig commandsOf(DeviceConfig config, Arguments parsed)
            throws Arguments.UsageException {
        dev.edgeline.config.CommandsConfig commands = config.bridge().commands();
        if (parsed.option("group").isEmpty()) {
            return commands;
        }
        String group = parsed.option("group").get();
        String problem = group.isEmpty() ? null : dev.edgeline.config.CommandsConfig.groupProblem(group);
        if (problem != null) {
            throw new Arguments.UsageException("--group: " + problem);
        }
        return commands.withGroup(group);
    }

    /** {@code base} and what a consumer of the command topics needs: read_committed, bytes in and out. */
    static Properties readCommittedConsumer(Properties base) {
        Properties c = new Properties();
        c.putAll(base);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }
}
