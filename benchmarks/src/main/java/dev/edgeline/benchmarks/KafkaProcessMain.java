package dev.edgeline.benchmarks;

import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;

/** Runs an embedded single-node Kafka in its own JVM for the harnesses: {@code <dir> <port>}; prints READY. */
public final class KafkaProcessMain {
    private KafkaProcessMain() {}

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]))) {
            System.out.println("READY " + kafka.bootstrapServers());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
