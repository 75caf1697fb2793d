package dev.edgeline.bridge.commands;

import dev.edgeline.config.CommandsConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The settings of a device's command consumer (the command bridge's, and what {@code bin/bench command-fanout} runs
 * per device): its client id and group, read_committed, no automatic commits, and a long fetch wait.
 */
public final class CommandConsumerProperties {
    private CommandConsumerProperties() {}

    public static Properties of(String bootstrapServers, String device, Map<String, ?> security) {
        Properties c = new Properties();
        c.putAll(security);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "edge-commands-" + device);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, CommandsConfig.groupOf(device));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // A fetch with nothing to return waits this long in the broker (one answers at once when a command arrives):
        // an idle device sends one fetch every 5 s instead of two a second (bin/bench command-fanout).
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5_000);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }
}
