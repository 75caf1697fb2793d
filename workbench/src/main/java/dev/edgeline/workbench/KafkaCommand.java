package dev.edgeline.workbench;

import dev.edgeline.appliance.Arguments;
import dev.edgeline.appliance.ExitCodes;
import dev.edgeline.appliance.ServiceRunner;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/edge kafka --port P --data-dir DIR}: a real single-node KRaft Kafka on loopback, until SIGTERM or SIGINT.
 * Devices (or the provisioning tests' root filesystems) can then be pointed at {@code 127.0.0.1:P}. Prints
 * {@code READY 127.0.0.1:P} once it takes connections.
 */
final class KafkaCommand {
    private final PrintStream out;
    private final PrintStream err;

    KafkaCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("port", "data-dir"));
        int port = parsed.port("port", 1).orElseThrow(() -> new Arguments.UsageException("--port is required"));
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start(Files.createDirectories(parsed.requiredPath("data-dir")), port);
            out.println("READY " + kafka.bootstrapServers());
            out.flush();
            ServiceRunner.runUntilStopped(kafka, "kafka");
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            err.println("edge kafka: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
