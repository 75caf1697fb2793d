package dev.edgeline.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * End-to-end latency: one Paho publisher sends QoS 1, 200-byte publishes at a fixed rate (default 2,000/s) into the
 * broker (spool on, exactly-once bridge) and a read_committed Kafka consumer measures the time from publish to
 * consume. The publisher and the consumer share this JVM (one monotonic clock); the broker ({@code bin/edge broker}),
 * the bridge ({@code bin/edge bridge}, or in the broker's JVM with {@code -Dbridge.layout=in-process}; see
 * {@link EdgeServices}) and Kafka each run in their own JVM, as on a device and in the cloud: the broker and the bridge
 * with the device's JVM flags, Kafka with those of its own start scripts. Arguments: rate, measured seconds (30),
 * warm-up seconds (60: on 2 cores the JVMs' JIT compilers need about a minute). Prints p50/p99/p99.9 for the warm-up
 * and the measured window separately; no pass/fail. {@code -De2e.series=FILE} writes every message's latency.
 */
public final class EndToEndHarness {
    private EndToEndHarness() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int warmupSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path work = WorkDirectory.deletedAtExit("e2e-bench-").path();
        CorePinning.pinThisProcessToCloud();
        int mqttPort = LocalProcesses.freePort();
        int kafkaPort = LocalProcesses.freePort();
        Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
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
        EdgeServices services = EdgeServices.start(work, configFile, mqttPort,
                EdgeServices.BridgeLayout.fromProperty());
        try {
            int warmup = rate * warmupSeconds;
            int total = warmup + rate * seconds;
            long[] latencies;
            try (LatencyConsumer consumer = new LatencyConsumer(bootstrap, "e2e.readings", total);
                 RatePublisher publisher = new RatePublisher(mqttPort, "e2e-pi", "s")) {
                publisher.publish(total, rate);
                consumer.await(Duration.ofSeconds(60));
                latencies = consumer.latencies();
            }
            String series = System.getProperty("e2e.series");
            if (series != null) {
                writeSeries(Path.of(series), latencies);
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "End to end, MQTT QoS 1 publish to read_committed consume, %d msg/s, "
                    + "200-byte payloads, exactly-once bridge; %s; %s; %s%n", rate, services.description(),
                    CorePinning.describe(), LocalProcesses.describeJvmFlags());
            System.out.println("| window | p50 | p99 | p99.9 | max | not received |");
            System.out.println("|---|---|---|---|---|---|");
            printRow("first " + warmupSeconds + " s (bridge start, JIT warm-up)", latencies, 0, warmup);
            printRow("next " + seconds + " s (measured)", latencies, warmup, total);
        } finally {
            services.close();
            kafka.destroy();
            kafka.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void printRow(String window, long[] latencies, int from, int to) {
        long[] measured = Arrays.copyOfRange(latencies, from, to);
        long missing = Arrays.stream(measured).filter(l -> l == 0).count();
        Arrays.sort(measured);
        System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d |%n", window,
                LatencyConsumer.percentile(measured, missing, 0.50),
                LatencyConsumer.percentile(measured, missing, 0.99),
                LatencyConsumer.percentile(measured, missing, 0.999), measured[measured.length - 1] / 1e6, missing);
    }

    /** Message number and latency in microseconds (0: not received), a line each: for looking at the tail over time. */
    private static void writeSeries(Path file, long[] latencies) throws java.io.IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < latencies.length; i++) {
            lines.append(i).append(' ').append(latencies[i] / 1000).append('\n');
        }
        Files.writeString(file, lines);
    }
}
