package dev.edgeline.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.config.CommandsConfig;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code edge command desired --config FILE --device D [--bootstrap B]}: a device's desired state against what its
 * agent reported applying. Desired is the device's compacted topic read to its end; reported is the latest result of
 * a {@code desired-<offset>} command of that device on the results topic (read from the partition its key goes to).
 * Prints both and one verdict: {@code in sync} (exit 0), or what differs: a newer desired state not applied yet, a
 * rejection and its reason, a value that differs (exit 3). Read-only; 1 when Kafka cannot be reached.
 */
final class DesiredStateCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys the device takes (as the command bridge's DesiredState). */
    private static final java.util.regex.Pattern DEVICE_KEY =
            java.util.regex.Pattern.compile("(sensor|output)/[a-z0-9][a-z0-9_-]{0,63}");
    private final PrintStream out;
    private final PrintStream err;

    DesiredStateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir", "device", "bootstrap"), Set.of());
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, DeviceService.none());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        String device = parsed.option("device").orElseThrow(() -> new Arguments.UsageException("--device is required"));
        CommandsConfig commands = config.bridge().commands();
        Properties p = new Properties();
        try {
            p.putAll(SecurityProperties.of(config.bridge().security()));
        } catch (IOException e) {
            err.println("edge command desired: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, parsed.option("bootstrap").orElse(config.bridge()
                .bootstrapServers()));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            Map<String, JsonNode> desired = new TreeMap<>();
            long desiredUpTo = readDesired(consumer, commands.desiredTopicOf(device), desired);
            JsonNode reported = latestReport(consumer, commands.resultsTopic(), device);
            return print(commands, device, desired, desiredUpTo, reported);
        } catch (KafkaException | IOException e) {
            err.println("edge command desired: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    /** Reads the compacted topic to its end into {@code desired}; the offset of its last record (-1: empty). */
    private static long readDesired(KafkaConsumer<byte[], byte[]> consumer, String topic, Map<String, JsonNode> desired)
            throws IOException {
        TopicPartition partition = new TopicPartition(topic, 0);
        if (consumer.partitionsFor(topic, Duration.ofSeconds(15)).isEmpty()) {
            throw new IOException("desired-state topic " + topic + " does not exist (edge kafka topics --create)");
        }
        long last = -1;
        for (ConsumerRecord<byte[], byte[]> record : readToEnd(consumer, partition)) {
            last = record.offset();
            String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                desired.remove(key);
            } else {
                try {
                    desired.put(key, JSON.readTree(record.value()));
                } catch (IOException e) {
                    desired.put(key, JSON.getNodeFactory().textNode("(not JSON: left out by the device)"));
                }
            }
        }
        return last;
    }

    /** The latest {@code desired-*} result of {@code device} on the results topic, or null. */
    private static JsonNode latestReport(KafkaConsumer<byte[], byte[]> consumer, String topic, String device)
            throws IOException {
        int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).size();
        if (partitions == 0) {
            throw new IOException("results topic " + topic + " does not exist (edge kafka topics --create)");
        }
        byte[] key = device.getBytes(StandardCharsets.UTF_8);
        TopicPartition partition = new TopicPartition(topic, BuiltInPartitioner.partitionForKey(key, partitions));
        JsonNode latest = null;
        for (ConsumerRecord<byte[], byte[]> record : readToEnd(consumer, partition)) {
            var id = record.headers().lastHeader("command_id");
            if (record.key() != null && device.equals(new String(record.key(), StandardCharsets.UTF_8)) && id != null
                    && new String(id.value(), StandardCharsets.UTF_8).startsWith("desired-")) {
                latest = JSON.readTree(record.value());
            }
        }
        return latest;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readToEnd(KafkaConsumer<byte[], byte[]> consumer,
                                                                  TopicPartition partition) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(15)).get(partition);
        List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (consumer.position(partition) < end && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).records(partition).forEach(records::add);
        }
        return records;
    }

    private int print(CommandsConfig commands, String device, Map<String, JsonNode> desired, long desiredUpTo,
                      JsonNode reported) {
        out.println("desired (" + commands.desiredTopicOf(device) + (desiredUpTo < 0 ? ", empty" : ", up to offset "
                + desiredUpTo) + "):");
        desired.forEach((key, value) -> out.println("  " + key + " " + value + (DEVICE_KEY.matcher(key).matches()
                && value.isObject() ? "" : "  (left out by the device: not sensor/<name> or output/<name> with a JSON "
                + "object)")));
        if (reported == null) {
            out.println("reported: nothing yet (no desired-* result of " + device + " on " + commands.resultsTopic()
                    + ")");
            out.println(desiredUpTo < 0 ? "in sync (nothing desired)" : "NOT APPLIED YET: the device has not "
                    + "reported a desired state");
            return desiredUpTo < 0 ? ExitCodes.OK : ExitCodes.PROBLEM_FOUND;
        }
        String id = reported.path("command_id").asText();
        String state = reported.path("state").asText();
        out.println("reported (" + commands.resultsTopic() + ", " + id + ", " + state + " at "
                + reported.path("at").asText() + "):");
        JsonNode applied = reported.path("response").path("applied");
        applied.path("sensors").forEach(s -> out.println("  sensor/" + s.path("sensor").asText() + " period "
                + s.path("period").asText() + ", " + (s.path("enabled").asBoolean() ? "enabled" : "disabled")));
        applied.path("outputs").forEach(o -> out.println("  output/" + o.path("output").asText() + " "
                + o.path("level").asText()));
        if (!id.equals("desired-" + desiredUpTo)) {
            out.println("BEHIND: the device reported " + id + "; the desired state is at offset " + desiredUpTo);
            return ExitCodes.PROBLEM_FOUND;
        }
        if (!state.equals("completed")) {
            out.println(state.toUpperCase(java.util.Locale.ROOT) + ": " + reported.path("reason").asText());
            return ExitCodes.PROBLEM_FOUND;
        }
        List<String> differences = differences(desired, applied);
        if (!differences.isEmpty()) {
            out.println("DIFFERS: " + String.join("; ", differences));
            return ExitCodes.PROBLEM_FOUND;
        }
        out.println("in sync");
        return ExitCodes.OK;
    }

    /** Where what the agent applied is not what is desired (a value it was not asked for is no difference). */
    private static List<String> differences(Map<String, JsonNode> desired, JsonNode applied) {
        List<String> differences = new java.util.ArrayList<>();
        desired.forEach((key, value) -> {
            if (!DEVICE_KEY.matcher(key).matches() || !value.isObject()) {
                return; // the device leaves it out, and says so in its log
            }
            String[] parts = key.split("/", 2);
            JsonNode match = null;
            for (JsonNode node : applied.path(parts[0] + "s")) {
                if (node.path(parts[0]).asText().equals(parts.length > 1 ? parts[1] : "")) {
                    match = node;
                }
            }
            if (match == null) {
                differences.add(key + " not reported");
                return;
            }
            JsonNode reportedNode = match;
            value.fields().forEachRemaining(field -> {
                if (!field.getValue().asText().equals(reportedNode.path(field.getKey()).asText())) {
                    differences.add(key + " " + field.getKey() + " desired " + field.getValue().asText()
                            + ", reported " + reportedNode.path(field.getKey()).asText());
                }
            });
        });
        return differences;
    }
}
