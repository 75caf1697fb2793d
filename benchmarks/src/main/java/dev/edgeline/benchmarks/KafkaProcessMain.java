package dev.edgeline.benchmarks;

import dev.edgeline.kafka.embedded.EmbeddedKafka;
import dev.edgeline.kafka.embedded.EmbeddedKafkaCluster;
import java.nio.file.Path;

/**
 * Runs embedded Kafka in its own JVM for the harnesses: {@code <dir> <port>} a single node on that port, or
 * {@code <dir> 0 <brokers>} a KRaft cluster of that many brokers on free ports, with
 * {@code -Dkafka.broker.props=key=value,...} over its brokers' defaults. Prints {@code READY <bootstrap>}.
 */
public final class KafkaProcessMain {
    private KafkaProcessMain() {}

    public static void main(String[] args) throws Exception {
        int brokers = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (brokers > 1) {
            try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(Path.of(args[0]), brokers,
                    brokerOverrides())) {
                ready(cluster.bootstrapServers());
            }
        } else {
            try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]))) {
                ready(kafka.bootstrapServers());
            }
        }
    }

    /** Broker settings over the defaults: {@code -Dkafka.broker.props=key=value,key=value}. */
    private static java.util.Map<String, String> brokerOverrides() {
        java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
        for (String pair : System.getProperty("kafka.broker.props", "").split(",")) {
            if (!pair.isBlank()) {
                String[] kv = pair.split("=", 2);
                overrides.put(kv[0].trim(), kv[1].trim());
            }
        }
        return overrides;
    }

    private static void ready(String bootstrap) throws InterruptedException {
        System.out.println("READY " + bootstrap);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
