package dev.edgeline.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * End-to-end latency: one Paho publisher sends QoS 1, 200-byte publishes at a fixed rate (default 2,000/s) into the
 * broker (spool on, exactly-once bridge) and a read_committed Kafka consumer measures the time from publish to
 * consume. The publisher and the consumer share this JVM (one monotonic clock); the broker ({@code bin/edge broker})
 * and Kafka each run in their own JVM, as on a device and in the cloud. Prints p50/p99/p99.9; no pass/fail.
 */
public final class EndToEndHarness {
    private EndToEndHarness() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        WorkDirectory workDirectory = new WorkDirectory("e2e-bench-");
        Path work = workDirectory.path();
        Runtime.getRuntime().addShutdownHook(new Thread(workDirectory::close));
        int mqttPort = LocalProcesses.freePort();
        int kafkaPort = LocalProcesses.freePort();
        Process kafka = LocalProcesses.startJvm(work.resolve("kafka.log"), "dev.edgeline.benchmarks.KafkaProcessMain",
                work.resolve("kafka").toString(), Integer.toString(kafkaPort));
        Path configFile = work.resolve("e2e.yaml");
        Files.writeString(configFile, """
                device: {id: e2e-pi}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  routes: [{mqtt-filter: "edge/#", kafka-topic: e2e.readings}]
                sensors: []
                """.formatted(mqttPort, kafkaPort));
        String bootstrap = "127.0.0.1:" + kafkaPort;
        LocalProcesses.awaitPort(kafkaPort, kafka);
        Process broker = LocalProcesses.startJvm(work.resolve("broker.log"), "dev.edgeline.appliance.Main", "broker", "--config",
                configFile.toString(), "--data-dir", work.toString());
        LocalProcesses.awaitPort(mqttPort, broker);
        try {
                int warmup = rate * 5;
                int total = warmup + rate * seconds;
                long[] latencies;
                try (LatencyConsumer consumer = new LatencyConsumer(bootstrap, "e2e.readings", total);
                     RatePublisher publisher = new RatePublisher(mqttPort, "e2e-pi", "s")) {
                    publisher.publish(total, rate);
                    consumer.await(Duration.ofSeconds(60));
                    latencies = consumer.latencies();
                }
                long[] measured = Arrays.copyOfRange(latencies, warmup, total);
                long missing = Arrays.stream(measured).filter(l -> l == 0).count();
                Arrays.sort(measured);
                System.out.println();
                System.out.printf(Locale.ROOT, "End to end, MQTT QoS 1 publish to read_committed consume, %d msg/s for "
                        + "%d s (after 5 s warm-up), 200-byte payloads, exactly-once bridge%n", rate, seconds);
                System.out.println("| p50 | p99 | p99.9 | max | not received |");
                System.out.println("|---|---|---|---|---|");
                System.out.printf(Locale.ROOT, "| %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d |%n",
                        LatencyConsumer.percentile(measured, missing, 0.50),
                        LatencyConsumer.percentile(measured, missing, 0.99),
                        LatencyConsumer.percentile(measured, missing, 0.999), measured[measured.length - 1] / 1e6,
                        missing);
        } finally {
            broker.destroy();
            broker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            kafka.destroy();
            kafka.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
