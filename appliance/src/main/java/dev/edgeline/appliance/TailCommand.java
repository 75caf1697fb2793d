package dev.edgeline.appliance;

import dev.edgeline.appliance.analyst.RecordIdentity;
import dev.edgeline.appliance.analyst.TopicReader;
import dev.edgeline.config.RecordEnvelope;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.KafkaException;

/**
 * {@code bin/edge tail --bootstrap B --topic T[,T2] [--from end|beginning] [--max N]}: follows topics (read_committed)
 * and prints one line per record: Kafka timestamp, topic-partition@offset, {@code device/stream}, boot, seq and the
 * payload as text. Runs until Ctrl-C, or until N records were printed.
 */
final class TailCommand {
    private final PrintStream out;
    private final PrintStream err;

    TailCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("bootstrap", "topic", "from", "max"));
        TopicOptions options = TopicOptions.of(parsed);
        String bootstrap = options.bootstrap();
        List<String> topics = options.topics();
        String from = parsed.option("from").orElse("end");
        if (!from.equals("end") && !from.equals("beginning")) {
            throw new Arguments.UsageException("--from '" + from + "' is not end or beginning");
        }
        long max;
        try {
            max = Long.parseLong(parsed.option("max").orElse("-1"));
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--max '" + parsed.option("max").get() + "' is not a number");
        }
        long[] printed = new long[1];
        try (TopicReader reader = new TopicReader(bootstrap)) {
            reader.follow(reader.partitionsOf(topics, Duration.ofSeconds(30)), from.equals("beginning"), record -> {
                String device = RecordIdentity.header(record, RecordEnvelope.DEVICE);
                String stream = RecordIdentity.header(record, RecordEnvelope.STREAM);
                out.printf("%s %s-%d@%d %s/%s boot=%s seq=%s %s%n", Instant.ofEpochMilli(record.timestamp()),
                        record.topic(), record.partition(), record.offset(), device, stream,
                        RecordIdentity.header(record, RecordEnvelope.BOOT),
                        RecordIdentity.header(record, RecordEnvelope.SEQ),
                        new String(record.value(), StandardCharsets.UTF_8));
                out.flush();
                return max < 0 || ++printed[0] < max;
            });
        } catch (KafkaException | IllegalArgumentException e) {
            err.println("edge tail: cannot read " + String.join(",", topics) + " from " + bootstrap + ": "
                    + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}
