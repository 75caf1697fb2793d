package dev.edgeline.appliance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.config.CommandsConfig;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code edge command send --config FILE --device D --target T [--ttl 10m] [--id ID] [--no-response]
 * [--payload-file F | PAYLOAD] [--wait 30s]}: produces one command to {@code D}'s command topic (the configuration
 * gives the cluster, its security and the topic names) with the headers of the command contract (docs/commands.md),
 * prints its id, and with {@code --wait} waits for its result on the results topic and prints it. Exit status 0 when
 * sent (with {@code --wait}: when the result is {@code completed} or {@code delivered}), 3 for any other result or
 * none within the wait, 1 when Kafka cannot be reached, 2 on bad input.
 */
final class CommandSendCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final PrintStream err;

    CommandSendCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir", "device", "group", "target", "ttl", "id",
                "payload-file", "wait", "bootstrap"), Set.of("no-response"));
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, DeviceService.none());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        String device = parsed.option("device").orElseThrow(() -> new Arguments.UsageException("--device is required"));
        String target = parsed.option("target").orElseThrow(() -> new Arguments.UsageException("--target is required"));
        String targetProblem = dev.edgeline.bridge.commands.Command.targetProblem(target);
        if (targetProblem != null) {
            throw new Arguments.UsageException("--target: " + targetProblem);
        }
        String id = parsed.option("id").orElse(UUID.randomUUID().toString());
        String idProblem = dev.edgeline.bridge.commands.Command.idProblem(id);
        if (idProblem != null) {
            throw new Arguments.UsageException("--id: " + idProblem);
        }
        byte[] payload = payload(parsed);
        Duration ttl = parsed.duration("ttl").orElse(config.bridge().commands().defaultTtl());
        CommandsConfig commands = OperatorKafka.commandsOf(config, parsed);
        String topic = commands.topicOf(device);
        Properties p;
        try {
            p = OperatorKafka.clientProperties(config, parsed);
        } catch (IOException e) {
            err.println("edge command send: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        Properties producerProps = new Properties();
        producerProps.putAll(p);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        Duration wait = parsed.duration("wait").orElse(null);
        try (KafkaConsumer<byte[], byte[]> results = wait == null ? null : resultsConsumer(p, commands.resultsTopic());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, bytes(device), payload);
            record.headers().add("command_id", bytes(id))
                    .add("target", bytes(target))
                    .add("expires_at", bytes(Instant.now().plus(ttl).toString()))
                    .add("response", bytes(parsed.flag("no-response") ? "none" : "required"));
            var metadata = producer.send(record).get();
            out.println("sent command " + id + " to " + device + "/" + target + " (" + topic + "@" + metadata.offset()
                    + ", time to live " + ttl + ")");
            return wait == null ? ExitCodes.OK : awaitResult(results, id, wait);
        } catch (ExecutionException e) {
            err.println("edge command send: " + e.getCause().getMessage());
            return ExitCodes.FAILURE;
        } catch (KafkaException e) {
            err.println("edge command send: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    private static byte[] payload(Arguments parsed) throws Arguments.UsageException {
        if (parsed.option("payload-file").isPresent()) {
            Path file = Path.of(parsed.option("payload-file").get());
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new Arguments.UsageException("--payload-file " + file + ": " + e.getMessage());
            }
        }
        List<String> positional = parsed.positional();
        if (positional.size() != 1) {
            throw new Arguments.UsageException("one PAYLOAD (or --payload-file F) is needed, found "
                    + positional.size());
        }
        return bytes(positional.getFirst());
    }

    /** A read_committed consumer at the end of every partition of the results topic, before the command is sent. */
    private static KafkaConsumer<byte[], byte[]> resultsConsumer(Properties base, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(OperatorKafka.readCommittedConsumer(base));
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15));
        if (partitions.isEmpty()) {
            consumer.close();
            throw new KafkaException("results topic " + topic + " does not exist (edge kafka topics --create)");
        }
        consumer.assign(partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList());
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position); // fix the end before the command is sent
        return consumer;
    }

    private int awaitResult(KafkaConsumer<byte[], byte[]> results, String id, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : results.poll(Duration.ofMillis(200))) {
                var header = record.headers().lastHeader("command_id");
                if (header != null && id.equals(new String(header.value(), StandardCharsets.UTF_8))) {
                    String json = new String(record.value(), StandardCharsets.UTF_8);
                    out.println(json);
                    String state;
                    try {
                        state = JSON.readTree(record.value()).path("state").asText();
                    } catch (IOException e) {
                        state = "";
                    }
                    return state.equals("completed") || state.equals("delivered") ? ExitCodes.OK
                            : ExitCodes.PROBLEM_FOUND;
                }
            }
        }
        err.println("edge command send: no result for " + id + " within " + wait.toSeconds() + " s (the device may "
                + "be offline: the command waits until its time to live runs out)");
        return ExitCodes.PROBLEM_FOUND;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
