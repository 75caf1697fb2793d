package dev.edgeline.benchmarks;

import dev.edgeline.agent.Reading;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/bench compare drain}: a spool backlog (the agent's own readings, 8 streams) drained into Kafka by the
 * bridge, against a bare Kafka producer sending <em>the same Kafka records</em> (the bridge's own mapping of the same
 * spool: keys, headers, payloads) with the same producer settings; exactly once and at least once.
 *
 * <p>Each run is a child JVM ({@link DrainRunMain}) on a fresh copy of the same spool, into its own topic on one
 * Kafka broker in its own JVM. Ours runs with the bridge service's JVM flags of the default memory profile; the peer
 * with the same flags but a heap that holds its prepared records. Beside the two, the producer sends the same records
 * with only the four identity headers and with none (what the headers cost in Kafka's client), and both run a third
 * time with a route of {@code headers: identity} (exactly once). {@code reps}
 * repetitions (default 3) of {@code records} records (default 1,000,000), alternating (the bridge first in odd
 * repetitions, last in even ones). Prints records/s (min, median, max), the ratio, CPU seconds per million records
 * (the child's whole process: its threads, GC and JIT included) and the bridge's resident memory.
 */
public final class DrainComparison {
    static final String DEVICE = "bench-pi";
    private static final int STREAMS = 8;

    /** A delivery and a route's headers; with the full envelope, the producer also runs with fewer headers. */
    private record Mode(String name, String delivery, String headers) {
        List<Sender> senders() {
            return headers.equals("full") ? List.of(Sender.values()) : List.of(Sender.BRIDGE, Sender.PRODUCER);
        }
    }

    private static final List<Mode> MODES = List.of(new Mode("exactly once", "exactly-once", "full"),
            new Mode("at least once", "at-least-once", "full"),
            new Mode("exactly once, route with `headers: identity`", "exactly-once", "identity"));

    private record Run(double rate, double cpuSecondsPerMillion, double rssMiB) {}

    /** Who drains: the bridge, or the producer with the same records (all headers, the identity ones, none). */
    private enum Sender {
        BRIDGE("ours", "bridge"), PRODUCER("peer", "producer"),
        PRODUCER_IDENTITY("peer-identity", "producer, 4 identity headers only"),
        PRODUCER_BARE("peer-bare", "producer, no headers");

        final String argument;
        final String label;

        Sender(String argument, String label) {
            this.argument = argument;
            this.label = label;
        }
    }

    private DrainComparison() {}

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path work = WorkDirectory.deletedAtExit("drain-compare-").path();
        int port = LocalProcesses.freePort();
        Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), port);
        try {
            String bootstrap = "127.0.0.1:" + port;
            Path source = work.resolve("source");
            long bytes = fill(source, records);
            Map<Mode, Map<Sender, List<Run>>> runs = new LinkedHashMap<>();
            for (int rep = 1; rep <= reps; rep++) {
                for (Mode mode : MODES) {
                    List<Sender> order = new ArrayList<>(mode.senders());
                    if (rep % 2 == 0) {
                        java.util.Collections.reverse(order); // the bridge first in odd repetitions, last in even
                    }
                    for (Sender sender : order) {
                        String runId = "r" + rep + "-" + (mode.delivery().startsWith("exactly") ? "eos" : "alo")
                                + "-" + mode.headers() + "-" + sender.argument;
                        Run run = run(work.resolve(runId), source, bootstrap, runId, mode, sender, records);
                        runs.computeIfAbsent(mode, k -> new LinkedHashMap<>())
                                .computeIfAbsent(sender, k -> new ArrayList<>()).add(run);
                        System.err.printf(Locale.ROOT, "compare drain: rep %d/%d, %s, %s: %,.0f records/s, %.1f CPU "
                                + "s per million%n", rep, reps, mode.name(), sender.label, run.rate(),
                                run.cpuSecondsPerMillion());
                    }
                }
            }
            print(runs, reps, records, bytes);
        } finally {
            kafka.destroy();
            if (!kafka.waitFor(30, TimeUnit.SECONDS)) {
                kafka.destroyForcibly();
            }
        }
    }

    /** Spools {@code records} readings of the agent's format over 8 streams; returns the spool's size in bytes. */
    private static long fill(Path dir, int records) throws Exception {
        Files.createDirectories(dir);
        DeviceConfig config = ConfigLoader.load(writeConfig(dir, "127.0.0.1:9", "unused", "unused", "exactly-once", "full"), dir, false);
        Instant taken = Instant.parse("2026-12-01T08:00:00Z");
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), DEVICE, InstantSource.system())) {
            List<CompletableFuture<AppendOutcome>> pending = new ArrayList<>();
            for (int n = 0; n < records; n++) {
                String stream = "s" + (n % STREAMS);
                long seq = n / STREAMS;
                Instant at = taken.plusMillis(seq * 100);
                Reading reading = Reading.value(DEVICE, stream, 1, seq, 20 + (n % 997) / 100.0, "°C", false, at,
                        seq * 100, true);
                pending.add(spool.append(SpoolConfig.DEFAULT_LANE, new SpoolRecord(DEVICE, stream, 1, seq,
                        "edge/" + DEVICE + "/" + stream, true, at.toEpochMilli(), reading.payload())));
                if (pending.size() == 32_768) {
                    pending.forEach(CompletableFuture::join);
                    pending.clear();
                }
            }
            pending.forEach(CompletableFuture::join);
        }
        return Directories.size(config.spool().directory());
    }

    private static Run run(Path dir, Path source, String bootstrap, String runId, Mode mode, Sender sender,
                           int records) throws Exception {
        Files.createDirectories(dir);
        Directories.copy(source.resolve("spool"), dir.resolve("spool"));
        Path config = writeConfig(dir, bootstrap, "drain." + runId, "drain.checkpoints." + runId, mode.delivery(),
                mode.headers());
        List<String> flags = sender == Sender.BRIDGE ? LocalProcesses.BRIDGE_JVM_FLAGS : peerFlags();
        Path log = dir.resolve("run.log");
        Process child = LocalProcesses.startJvm(log, CorePinning.device(), flags,
                "dev.edgeline.benchmarks.DrainRunMain", sender.argument, config.toString(),
                Integer.toString(records));
        if (!child.waitFor(15, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new IllegalStateException("drain run " + runId + " did not finish in 15 minutes; see " + log);
        }
        List<String> output = Files.readAllLines(log);
        String result = output.stream().filter(line -> line.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("drain run " + runId + " exited with "
                        + child.exitValue() + " and no result: "
                        + String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()))));
        String[] f = result.split(" ");
        double rate = Double.parseDouble(f[1]);
        double cpuSeconds = Long.parseLong(f[2]) / 1e9;
        long counted = Long.parseLong(f[3]);
        Directories.delete(dir.resolve("spool"));
        return new Run(rate, cpuSeconds / (counted / 1e6), Long.parseLong(f[4]) / 1024.0);
    }

    /** The bridge's flags with a heap that holds the peer's prepared records. */
    private static List<String> peerFlags() {
        List<String> flags = new ArrayList<>();
        for (String flag : LocalProcesses.BRIDGE_JVM_FLAGS) {
            if (!flag.startsWith("-Xmx") && !flag.startsWith("-Xms")) {
                flags.add(flag);
            }
        }
        flags.add("-Xms2g");
        flags.add("-Xmx2g");
        return flags;
    }

    /** The device's configuration with the defaults a device runs with, but for the names the benchmark needs. */
    private static Path writeConfig(Path dir, String bootstrap, String topic, String checkpointTopic,
                                    String delivery, String headers) throws IOException {
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: %s}
                broker: {data-directory: broker}
                spool: {directory: spool, segment-bytes: 67108864, budget-bytes: 8589934592}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  delivery: %s
                  checkpoint-topic: %s
                  gap-topic: drain.gaps
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s, headers: %s}]
                sensors: []
                """.formatted(DEVICE, bootstrap, delivery, checkpointTopic, topic, headers));
        return file;
    }

    private static void print(Map<Mode, Map<Sender, List<Run>>> runs, int reps, int records, long spoolBytes) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Drain of a spool backlog into Kafka, %s, %d CPUs, %s: %,d agent readings "
                        + "(8 streams, %,d spool bytes), %d alternated repetitions, each a fresh copy of the spool "
                        + "into its own topic, one Kafka broker (own JVM), %s%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), records, spoolBytes, reps,
                CorePinning.describe());
        System.out.println("ours: the bridge (" + String.join(" ", LocalProcesses.BRIDGE_JVM_FLAGS)
                + "); peer: a Kafka producer with the bridge's settings sending the bridge's own records, prepared "
                + "in memory (same keys, headers, payloads)");
        System.out.println();
        MarkdownTable.header("delivery", "ours records/s, median (min-max)", "producer records/s, median (min-max)",
                "ours/producer, median (min-max)", "CPU s per million: ours, producer", "bridge RSS MiB");
        for (Mode mode : MODES) {
            List<Run> a = runs.get(mode).get(Sender.BRIDGE);
            List<Run> b = runs.get(mode).get(Sender.PRODUCER);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f, %.1f | %.0f |%n", mode.name(),
                    Stats.spread(rates(a), "%,.0f"), Stats.spread(rates(b), "%,.0f"),
                    Stats.spread(ratios(a, b), "%.2f"), cpu(a), cpu(b),
                    Stats.median(a.stream().map(Run::rssMiB).toList()));
        }
        System.out.println();
        System.out.println("What the headers cost in Kafka's client: the producer with the same records, all headers, "
                + "the 4 identity headers only (device, stream, boot, seq), none");
        System.out.println();
        MarkdownTable.header("delivery", "sender", "records/s, median (min-max)", "of all headers' rate, median",
                "CPU s per million");
        for (Mode mode : MODES) {
            if (!mode.headers().equals("full")) {
                continue;
            }
            List<Run> all = runs.get(mode).get(Sender.PRODUCER);
            for (Sender sender : List.of(Sender.PRODUCER, Sender.PRODUCER_IDENTITY, Sender.PRODUCER_BARE)) {
                List<Run> r = runs.get(mode).get(sender);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %.1f |%n", mode.name(), sender.label,
                        Stats.spread(rates(r), "%,.0f"), Stats.median(ratios(r, all)), cpu(r));
            }
        }
    }

    private static List<Double> rates(List<Run> runs) {
        return runs.stream().map(Run::rate).toList();
    }

    /** Per repetition: {@code a}'s rate over {@code b}'s. */
    private static List<Double> ratios(List<Run> a, List<Run> b) {
        return Stats.ratios(rates(a), rates(b));
    }

    private static double cpu(List<Run> runs) {
        return Stats.median(runs.stream().map(Run::cpuSecondsPerMillion).toList());
    }
}
