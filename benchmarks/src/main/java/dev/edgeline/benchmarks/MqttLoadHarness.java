package dev.edgeline.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end ingest: N concurrent Paho MQTT 5 publishers send QoS 1 publishes of 200-byte payloads, each with a
 * bounded window of unacknowledged publishes, and the harness counts acknowledged publishes per second. Run against
 * our broker (a child process of {@code bin/edge broker}: every ack means fsynced in the spool) and, in the same run,
 * against Mosquitto (Debian package, started on a loopback port, in-memory as it ships: its acks mean nothing
 * durable); then both again on a TLS listener that asks for a password (one mosquitto_passwd file, PBKDF2 at
 * 210,000 iterations, read by both). Prints a table; no pass/fail.
 */
public final class MqttLoadHarness {
    static final int PAYLOAD_BYTES = 200;

    private MqttLoadHarness() {}

    public static void main(String[] args) throws Exception {
        int publishers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Duration duration = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 20);
        Path work = WorkDirectory.deletedAtExit("mqtt-bench-").path();
        IngestBrokers brokers = new IngestBrokers(work);

        List<String> rows = new ArrayList<>();
        double ours = runAgainst("edge broker (spool, fsync before PUBACK)", brokers.edge(false),
                publishers, window, duration, rows, options -> { });
        double mosquitto = runAgainst("mosquitto " + IngestBrokers.mosquittoVersion() + " (in memory, not durable)",
                brokers.mosquitto(false, false), publishers, window, duration, rows, options -> { });
        // The same over TLS with a password (PBKDF2 hashes from mosquitto_passwd, which both brokers read).
        javax.net.ssl.SSLSocketFactory tls = brokers.certificates().socketFactory("ca", null);
        java.util.function.Consumer<org.eclipse.paho.mqttv5.client.MqttConnectionOptions> secure =
                IngestBrokers.login(tls);
        double oursSecure = runAgainst("edge broker, TLS + password", brokers.edge(true), publishers,
                window, duration, rows, secure);
        double mosquittoSecure = runAgainst("mosquitto, TLS + password (not durable)", brokers.mosquitto(true, false),
                publishers, window, duration, rows, secure);
        System.out.println();
        System.out.printf(Locale.ROOT, "MQTT QoS 1 ingest: %d publishers, window %d each, %d-byte payloads, %d s%n",
                publishers, window, PAYLOAD_BYTES, duration.toSeconds());
        System.out.println("| broker | acknowledged publishes/s |");
        System.out.println("|---|---|");
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "ours / mosquitto: %.2f; with TLS + password: %.2f; TLS + password costs us "
                + "%.0f%% of plain ingest%n", ours / mosquitto, oursSecure / mosquittoSecure,
                100 * (1 - oursSecure / ours));
    }

    private static double runAgainst(String label, IngestBrokers.Broker broker, int publishers, int window, Duration duration,
                                     List<String> rows,
                                     java.util.function.Consumer<org.eclipse.paho.mqttv5.client.MqttConnectionOptions>
                                             security) throws Exception {
        try {
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<WindowedPublisher> running = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                String scheme = broker.secure() ? "ssl" : "tcp";
                WindowedPublisher p = new WindowedPublisher(scheme + "://127.0.0.1:" + broker.port(), "bench-pi",
                        "p" + i, window, acknowledged, refused, security);
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
            broker.stop();
            Files.readAllLines(broker.log()).stream().filter(l -> l.contains("records per fsync"))
                    .forEach(l -> System.out.println("  " + broker.name() + ": " + l.replaceAll(".*\\] closed: ", "")));
        }
    }
}
