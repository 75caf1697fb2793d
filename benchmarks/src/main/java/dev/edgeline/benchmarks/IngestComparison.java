package dev.edgeline.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code bin/bench compare}: MQTT QoS 1 ingest, our broker (every PUBACK after fsync in the spool) against Mosquitto
 * (Debian's, persistence on: its store is written at its autosave interval, not before a PUBACK), in the two shapes a
 * device meets: a gateway (one MQTT 3.1.1 connection, 1,000 publishes in flight) and many sensors (16 MQTT 5
 * connections, 64 in flight each), each plain and over TLS with a password. 200-byte payloads.
 *
 * <p>Every combination runs {@code reps} times, ours and Mosquitto alternating (ours first in odd repetitions,
 * Mosquitto first in even ones), each on a freshly started broker with a warm-up before its measured window. Prints
 * per combination the minimum, median and maximum of each broker's acknowledged publishes per second, the median
 * and range of the per-repetition ratio ours/Mosquitto, the broker process's CPU seconds per million acknowledged
 * publishes, and its resident memory at the end of the window. The publishers run in this JVM for both brokers.
 */
public final class IngestComparison {
    private record Shape(String name, int connections, int window, boolean mqtt311) {}

    private record Combination(Shape shape, boolean secure) {
        String label() {
            return shape.name + (secure ? ", TLS + password" : ", plain");
        }
    }

    /** One measured window. */
    private record Run(double rate, double cpuSecondsPerMillion, double rssMiB, long refused) {}

    private static final Shape GATEWAY = new Shape("1 x 1,000 in flight, MQTT 3.1.1", 1, 1_000, true);
    private static final Shape SENSORS = new Shape("16 x 64 in flight, MQTT 5", 16, 64, false);

    private IngestComparison() {}

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Duration measured = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 15);
        Duration warmUp = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
        Path work = WorkDirectory.deletedAtExit("ingest-compare-").path();
        IngestBrokers brokers = new IngestBrokers(work);
        SSLSocketFactory tls = brokers.certificates().socketFactory("ca", null);

        List<Combination> combinations = List.of(new Combination(GATEWAY, false), new Combination(SENSORS, false),
                new Combination(GATEWAY, true), new Combination(SENSORS, true));
        Map<Combination, List<Run>> ours = new LinkedHashMap<>();
        Map<Combination, List<Run>> theirs = new LinkedHashMap<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (Combination c : combinations) {
                boolean oursFirst = rep % 2 != 0;
                for (int turn = 0; turn < 2; turn++) {
                    boolean edge = (turn == 0) == oursFirst;
                    IngestBrokers.Broker broker = edge ? brokers.edge(c.secure()) : brokers.mosquitto(c.secure(), true);
                    Run run = measure(broker, c, c.secure() ? tls : null, warmUp, measured);
                    (edge ? ours : theirs).computeIfAbsent(c, k -> new ArrayList<>()).add(run);
                    System.err.printf(Locale.ROOT, "compare: rep %d/%d, %s, %s: %,.0f publishes/s%n", rep, reps,
                            c.label(), broker.name(), run.rate());
                }
            }
        }
        print(combinations, ours, theirs, reps, measured, warmUp);
    }

    private static Run measure(IngestBrokers.Broker broker, Combination c, SSLSocketFactory tls, Duration warmUp,
                               Duration measured) throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<LoadPublisher> publishers = new ArrayList<>();
        try {
            for (int i = 0; i < c.shape().connections(); i++) {
                LoadPublisher p = c.shape().mqtt311()
                        ? new Mqtt311WindowedPublisher(broker.uri(), "bench-pi", "g" + i, c.shape().window(),
                        acknowledged, refused, tls)
                        : new WindowedPublisher(broker.uri(), "bench-pi", "p" + i, c.shape().window(), acknowledged,
                        refused, tls == null ? options -> { } : IngestBrokers.login(tls));
                publishers.add(p);
                p.start();
            }
            Thread.sleep(warmUp.toMillis());
            ProcessHandle process = broker.process().toHandle();
            long startCount = acknowledged.get();
            long startCpu = CpuMeter.cpuNanos(process);
            long start = System.nanoTime();
            Thread.sleep(measured.toMillis());
            long count = acknowledged.get() - startCount;
            long cpu = CpuMeter.cpuNanos(process) - startCpu;
            double seconds = (System.nanoTime() - start) / 1e9;
            double rss = ResidentMemory.rssKb(process.pid()) / 1024.0;
            return new Run(count / seconds, count == 0 ? Double.NaN : cpu / 1e9 / (count / 1e6), rss, refused.get());
        } finally {
            for (LoadPublisher p : publishers) {
                p.stop();
            }
            broker.stop();
        }
    }

    private static void print(List<Combination> combinations, Map<Combination, List<Run>> ours,
                              Map<Combination, List<Run>> theirs, int reps, Duration measured, Duration warmUp) {
        System.out.println();
        System.out.printf(Locale.ROOT, "MQTT QoS 1 ingest, 200-byte payloads, %s, %d CPUs, %s: %d alternated "
                        + "repetitions, each a fresh broker, %d s warm-up, %d s measured%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), reps,
                warmUp.toSeconds(), measured.toSeconds());
        System.out.println("ours: edge broker (fsync before PUBACK); peer: mosquitto " + IngestBrokers.mosquittoVersion()
                + " (persistence on, not durable per PUBACK)");
        System.out.println();
        MarkdownTable.header("shape", "ours publishes/s, median (min-max)", "mosquitto publishes/s, median (min-max)",
                "ours/mosquitto, median (min-max)", "CPU s per million: ours, mosquitto", "RSS MiB: ours, mosquitto");
        for (Combination c : combinations) {
            List<Run> a = ours.get(c);
            List<Run> b = theirs.get(c);
            List<Double> ratios = Stats.ratios(a.stream().map(Run::rate).toList(), b.stream().map(Run::rate).toList());
            long refused = a.stream().mapToLong(Run::refused).sum() + b.stream().mapToLong(Run::refused).sum();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f, %.1f | %.0f, %.0f |%s%n", c.label(),
                    Stats.spread(a.stream().map(Run::rate).toList(), "%,.0f"),
                    Stats.spread(b.stream().map(Run::rate).toList(), "%,.0f"), Stats.spread(ratios, "%.2f"),
                    Stats.median(a.stream().map(Run::cpuSecondsPerMillion).toList()),
                    Stats.median(b.stream().map(Run::cpuSecondsPerMillion).toList()),
                    Stats.median(a.stream().map(Run::rssMiB).toList()),
                    Stats.median(b.stream().map(Run::rssMiB).toList()),
                    refused > 0 ? " (" + refused + " refused or failed)" : "");
        }
    }
}
