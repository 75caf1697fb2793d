package dev.edgeline.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeline.appliance.analyst.DesiredStateReport;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code edge command desired --config FILE --device D [--bootstrap B]}: a device's desired state against what its
 * agent reported applying. Desired is the device's compacted topic read to its end; reported is the latest result of
 * a {@code desired-<offset>} command of that device on the results topic (read from the partition its key goes to).
 * Prints both and one verdict: {@code in sync} (exit 0), or what differs: a newer desired state not applied yet, a
 * rejection and its reason, a value that differs (exit 3). Read-only; 1 when Kafka cannot be reached.
 */
final class DesiredStateCommand {
    private final PrintStream out;
    private final PrintStream err;

    DesiredStateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir", "device", "group", "bootstrap"), Set.of());
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, DeviceService.none());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        String device = parsed.option("device").orElseThrow(() -> new Arguments.UsageException("--device is required"));
        CommandsConfig commands = OperatorKafka.commandsOf(config, parsed);
        Properties p;
        try {
            p = OperatorKafka.readCommittedConsumer(OperatorKafka.clientProperties(config, parsed));
        } catch (IOException e) {
            err.println("edge command desired: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            DesiredStateReport report = new DesiredStateReport();
            readDesired(consumer, commands, device, report);
            readResults(consumer, commands.resultsTopic(), device, report);
            return print(commands, device, report);
        } catch (KafkaException | IOException e) {
            err.println("edge command desired: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    /**
     * Reads {@code device}'s compacted desired-state topic to its end: on a group's topic only the device's own keys,
     * as the device takes them ({@link CommandsConfig#ownDesiredKey}).
     */
    private static void readDesired(KafkaConsumer<byte[], byte[]> consumer, CommandsConfig commands, String device,
                                    DesiredStateReport report) throws IOException {
        String topic = commands.desiredTopicOf(device);
        if (consumer.partitionsFor(topic, Duration.ofSeconds(15)).isEmpty()) {
            throw new IOException("desired-state topic " + topic + " does not exist (edge kafka topics --create)");
        }
        for (ConsumerRecord<byte[], byte[]> record : readToEnd(consumer, new TopicPartition(topic, 0))) {
            String key = commands.ownDesiredKey(device, record.key() == null ? ""
                    : new String(record.key(), StandardCharsets.UTF_8));
            if (key != null) {
                report.desiredRecord(record.offset(), key, record.value());
            }
        }
    }

    /** Reads {@code device}'s results from the partition its key goes to. */
    private static void readResults(KafkaConsumer<byte[], byte[]> consumer, String topic, String device,
                                    DesiredStateReport report) throws IOException {
        int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).size();
        if (partitions == 0) {
            throw new IOException("results topic " + topic + " does not exist (edge kafka topics --create)");
        }
        byte[] key = device.getBytes(StandardCharsets.UTF_8);
        TopicPartition partition = new TopicPartition(topic, BuiltInPartitioner.partitionForKey(key, partitions));
        for (ConsumerRecord<byte[], byte[]> record : readToEnd(consumer, partition)) {
            var id = record.headers().lastHeader("command_id");
            if (record.key() != null && device.equals(new String(record.key(), StandardCharsets.UTF_8)) && id != null) {
                report.result(new String(id.value(), StandardCharsets.UTF_8), record.value());
            }
        }
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

    private int print(CommandsConfig commands, String device, DesiredStateReport report) {
        long upTo = report.desiredUpTo();
        out.println("desired (" + commands.desiredTopicOf(device) + (upTo < 0 ? ", empty" : ", up to offset " + upTo)
                + "):");
        report.desired().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.println("  "
                + e.getKey() + " " + e.getValue() + (DesiredStateReport.takenByDevice(e.getKey(), e.getValue()) ? ""
                : "  (left out by the device: not sensor/<name> or output/<name> with a JSON object)")));
        JsonNode reported = report.reported();
        if (reported == null) {
            out.println("reported: nothing yet (no desired-* result of " + device + " on " + commands.resultsTopic()
                    + ")");
        } else {
            out.println("reported (" + commands.resultsTopic() + ", " + reported.path("command_id").asText() + ", "
                    + reported.path("state").asText() + " at " + reported.path("at").asText() + "):");
            JsonNode applied = reported.path("response").path("applied");
            applied.path("sensors").forEach(s -> out.println("  sensor/" + s.path("sensor").asText() + " period "
                    + s.path("period").asText() + ", " + (s.path("enabled").asBoolean() ? "enabled" : "disabled")));
            applied.path("outputs").forEach(o -> out.println("  output/" + o.path("output").asText() + " "
                    + o.path("level").asText()));
        }
        DesiredStateReport.Verdict verdict = report.verdict();
        if (verdict.inSync()) {
            out.println("in sync");
            return ExitCodes.OK;
        }
        out.println(verdict.state().toUpperCase(java.util.Locale.ROOT) + ": " + verdict.detail());
        return ExitCodes.PROBLEM_FOUND;
    }
}
