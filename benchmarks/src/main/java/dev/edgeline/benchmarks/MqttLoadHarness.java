package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end ingest: N concurrent Paho MQTT 5 publishers send QoS 1 publishes of 200-byte payloads, each with a
 * bounded window of unacknowledged publishes, and the harness counts acknowledged publishes per second. Run against
 * our broker (a child process of {@code bin/edge broker}: every ack means fsynced in the spool) and, in the same run,
 * against Mosquitto (Debian package, started on a loopback port, in-memory as it ships: its acks mean nothing
 * durable). Prints a table; no pass/fail.
 */
public final class MqttLoadHarness {
    static final int PAYLOAD_BYTES = 200;

    private MqttLoadHarness() {}

    public static void main(String[] args) throws Exception {
        int publishers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Duration duration = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 20);
        Path work = WorkDirectory.deletedAtExit("mqtt-bench-").path();

        List<String> rows = new ArrayList<>();
        double ours = runAgainst("edge broker (spool, fsync before PUBACK)", startEdgeBroker(work), publishers,
                window, duration, rows);
        double mosquitto = runAgainst("mosquitto " + mosquittoVersion() + " (in memory, not durable)",
                startMosquitto(work), publishers, window, duration, rows);
        System.out.println();
        System.out.printf(Locale.ROOT, "MQTT QoS 1 ingest: %d publishers, window %d each, %d-byte payloads, %d s%n",
                publishers, window, PAYLOAD_BYTES, duration.toSeconds());
        System.out.println("| broker | acknowledged publishes/s |");
        System.out.println("|---|---|");
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "ours / mosquitto: %.2f%n", ours / mosquitto);
    }

    private record Broker(String name, Process process, int port, Path log) {}

    private static Broker startEdgeBroker(Path work) throws IOException, InterruptedException {
        int port = LocalProcesses.freePort();
        Path config = SimulatedDeviceConfig.writeBrokerOnly(work, port, "127.0.0.1:9", "readings");
        Process process = LocalProcesses.startBroker(work.resolve("edge-broker.log"), "--config", config.toString(),
                "--data-dir", work.resolve("edge").toString());
        LocalProcesses.awaitPort(port, process);
        return new Broker("edge", process, port, work.resolve("edge-broker.log"));
    }

    private static Broker startMosquitto(Path work) throws IOException, InterruptedException {
        int port = LocalProcesses.freePort();
        Path config = work.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + "max_queued_messages 100000\n");
        Process process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("mosquitto.log").toFile()).start();
        LocalProcesses.awaitPort(port, process);
        return new Broker("mosquitto", process, port, work.resolve("mosquitto.log"));
    }

    private static double runAgainst(String label, Broker broker, int publishers, int window, Duration duration,
                                     List<String> rows) throws Exception {
        try {
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<WindowedPublisher> running = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                WindowedPublisher p = new WindowedPublisher("tcp://127.0.0.1:" + broker.port(), "bench-pi", "p" + i, window,
                        acknowledged, refused);
                running.add(p);
                p.start();
            }
            Thread.sleep(10_000); // warm-up (the JIT of a fresh JVM is still busy for several seconds)
            long startCount = acknowledged.get();
            long start = System.nanoTime();
            Thread.sleep(duration.toMillis());
            long count = acknowledged.get() - startCount;
            double seconds = (System.nanoTime() - start) / 1e9;
            for (WindowedPublisher p : running) {
                p.stop();
            }
            double rate = count / seconds;
            rows.add(String.format(Locale.ROOT, "| %s | %,.0f |%s", label, rate,
                    refused.get() > 0 ? " (" + refused.get() + " refused)" : ""));
            return rate;
        } finally {
            broker.process().destroy();
            broker.process().waitFor(30, TimeUnit.SECONDS);
            Files.readAllLines(broker.log()).stream().filter(l -> l.contains("records per fsync"))
                    .forEach(l -> System.out.println("  " + broker.name() + ": " + l.replaceAll(".*\\] closed: ", "")));
        }
    }

    private static String mosquittoVersion() {
        try {
            Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-h").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
            p.waitFor(5, TimeUnit.SECONDS);
            return first.replaceAll(".*version ([0-9.]+).*", "$1");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
