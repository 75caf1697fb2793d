package dev.edgeline.benchmarks;

import dev.edgeline.config.render.DeviceRenderer;
import dev.edgeline.config.render.MemoryProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A memory profile under sustained load: every service of a device started as the profile says (its JVM flags, the
 * bridge in the broker's process or apart, {@code MALLOC_ARENA_MAX=2} as the rendered environment files set), the
 * agent sampling 10 simulated sensors at 10 Hz, and MQTT publishers at a fixed rate besides. Three phases: ingest with
 * Kafka unreachable (its process stopped: the spool fills, the bridge retries), ingest while the backlog drains, and
 * the drain alone until every record is committed. Samples each service's resident memory ({@code VmRSS}, anonymous
 * and file-backed, and swap) twice a second; reports the peak per service and of their sum, and whether any service
 * died or logged an {@code OutOfMemoryError}. A profile's goal (512 MB: under 300 MiB for all services) is printed
 * beside the figures; no pass/fail.
 *
 * <p>The broker and the bridge run from the x86_64 device release ({@code distribution/target}: its {@code lib/*}
 * and {@code jvm.options}), as on a device; with the fourth argument {@code aot}, with the JDK's ahead-of-time cache
 * trained first by {@code edge aot-train} as provisioning trains it (the mapped cache is part of what they use).
 *
 * <p>Arguments: {@code [profile (512mb)] [seconds per loaded phase (60)] [publishes per second (2000)] [aot]};
 * {@code -Dprofile.broker.flags=a,b,c} (comma-separated, for {@code BENCH_JAVA_OPTS}) replaces the profile's broker
 * flags to compare others.
 */
public final class MemoryProfileHarness {
    private static final int WARMUP_SECONDS = 10;
    private static final int PUBLISHERS = 2;

    private MemoryProfileHarness() {}

    public static void main(String[] args) throws Exception {
        MemoryProfile profile = MemoryProfile.named(args.length > 0 ? args[0] : "512mb");
        int phaseSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        boolean aot = args.length > 3 && args[3].equals("aot");
        List<String> brokerFlags = new ArrayList<>(flags(System.getProperty("profile.broker.flags",
                profile.brokerJvmOptions())));
        List<String> bridgeFlags = new ArrayList<>(flags(profile.bridgeJvmOptions()));
        try (WorkDirectory workDirectory = new WorkDirectory("memory-profile-")) {
            Path work = workDirectory.path();
            StartupHarness.Launcher release = StartupHarness.Launcher.local(StartupHarness.unpackLocalRelease(work));
            if (aot) {
                Path cache = work.resolve("services.aot");
                List<String> training = new ArrayList<>(brokerFlags);
                training.add("-XX:AOTCacheOutput=" + cache);
                if (StartupHarness.run(release.command(training, "aot-train"),
                        work.resolve("aot-train.log")) != 0) {
                    throw new IOException("edge aot-train failed; see " + work.resolve("aot-train.log"));
                }
                brokerFlags.add("-XX:AOTCache=" + cache);
                bridgeFlags.add("-XX:AOTCache=" + cache);
            }
            int kafkaPort = LocalProcesses.freePort();
            String bootstrap = "127.0.0.1:" + kafkaPort;
            Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
            Map<String, Process> services = new LinkedHashMap<>();
            try {
                int port = LocalProcesses.freePort();
                String device = "memory-pi";
                Path config = SimulatedDeviceConfig.write(work, device, port, 10, 10, bootstrap);
                List<String> brokerArgs = new ArrayList<>(List.of("broker", "--config", config.toString(),
                        "--data-dir", work.toString()));
                if (profile.bridgeSeparate()) {
                    brokerArgs.addAll(List.of("--bridge", "separate"));
                }
                services.put("broker", startService(release, work.resolve("broker.log"), brokerFlags, brokerArgs));
                LocalProcesses.awaitPort(port, services.get("broker"));
                if (profile.bridgeSeparate()) {
                    services.put("bridge", startService(release, work.resolve("bridge.log"), bridgeFlags,
                            List.of("bridge", "--config", config.toString(), "--data-dir", work.toString())));
                }
                services.put("agent", AgentFootprintHarness.startAgent(work.resolve("agent.log"),
                        DeviceRenderer.agentJvmFlags(), config, work));
                try (CommittedRecordCounter committed = new CommittedRecordCounter(bootstrap, device,
                        MemoryProfileHarness::fromPublishers);
                     MemorySampler sampler = new MemorySampler(services)) {
                    List<Thread> publishers = startPublishers(port, device, rate,
                            WARMUP_SECONDS + 2 * phaseSeconds);
                    Thread.sleep(WARMUP_SECONDS * 1000L);
                    sampler.phase("ingest, Kafka unreachable");
                    signal(kafka, "STOP");
                    Thread.sleep(phaseSeconds * 1000L);
                    sampler.phase("ingest while the backlog drains");
                    signal(kafka, "CONT");
                    Thread.sleep(phaseSeconds * 1000L);
                    for (Thread publisher : publishers) {
                        publisher.join();
                    }
                    sampler.phase("drain, no new publishes");
                    long published = (long) rate * (WARMUP_SECONDS + 2 * phaseSeconds);
                    long drainStart = System.nanoTime();
                    awaitCommitted(committed, published);
                    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                    Thread.sleep(5_000); // anything committed twice would show now
                    sampler.stop();
                    print(profile.profileName() + (aot ? " with the AOT cache" : ""), profile, brokerFlags,
                            phaseSeconds, rate, sampler, services, work, committed.count(),
                            published, drainSeconds);
                }
            } finally {
                for (Process service : services.values()) {
                    service.destroy();
                    service.waitFor(30, TimeUnit.SECONDS);
                }
                signal(kafka, "CONT");
                kafka.destroy();
                kafka.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Whether a Kafka record came from the harness's publishers (their streams are {@code load-N}). */
    private static boolean fromPublishers(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record) {
        org.apache.kafka.common.header.Header stream = record.headers().lastHeader("stream");
        return stream != null && new String(stream.value(), java.nio.charset.StandardCharsets.UTF_8)
                .startsWith("load-");
    }

    private static List<String> flags(String options) {
        return List.of(options.trim().split("[,\\s]+"));
    }

    /** A service of the release in its own JVM with {@code flags} and the rendered environment's malloc arenas. */
    private static Process startService(StartupHarness.Launcher release, Path log, List<String> flags,
                                        List<String> args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(release.command(flags, args.toArray(String[]::new)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        return builder.start();
    }

    private static List<Thread> startPublishers(int port, String device, int rate, int seconds) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            RatePublisher publisher = new RatePublisher(port, device, "load-" + i);
            int share = rate / PUBLISHERS;
            threads.add(Thread.ofPlatform().name("memory-load-" + i).start(() -> {
                try (publisher) {
                    publisher.publish(share * seconds, share);
                } catch (Exception e) {
                    throw new IllegalStateException("publisher load-" + publisher + " failed", e);
                }
            }));
        }
        return threads;
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits until the committed count reaches {@code atLeast}, at most 5 minutes. */
    private static void awaitCommitted(CommittedRecordCounter committed, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (committed.count() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static void print(String profileName, MemoryProfile profile, List<String> brokerFlags, int phaseSeconds, int rate,
                              MemorySampler sampler, Map<String, Process> services, Path work, long committed,
                              long published, double drainSeconds) throws IOException {
        System.out.println();
        System.out.printf(Locale.ROOT, "Memory profile %s, x86_64 release: bridge %s; broker JVM %s; agent with 10 "
                        + "sensors at 10 Hz "
                        + "and %,d publishes/s from %d MQTT publishers; %d s per loaded phase; %d cores%n",
                profileName, profile.bridgeSeparate() ? "as its own service" : "in the broker's process",
                String.join(" ", brokerFlags), rate, PUBLISHERS, phaseSeconds,
                Runtime.getRuntime().availableProcessors());
        StringBuilder header = new StringBuilder("| phase |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String service : services.keySet()) {
            header.append(" ").append(service).append(" peak RSS (anon + file) |");
            rule.append("---|");
        }
        header.append(" all services, peak of the sum | swap, peak |");
        rule.append("---|---|");
        System.out.println(header);
        System.out.println(rule);
        for (MemorySampler.PhasePeaks phase : sampler.phases()) {
            StringBuilder row = new StringBuilder("| ").append(phase.name()).append(" |");
            for (String service : services.keySet()) {
                ResidentMemory.Sample peak = phase.peaks().get(service);
                row.append(String.format(Locale.ROOT, " %.0f MiB (%.0f + %.0f) |", peak.rssKb() / 1024.0,
                        peak.anonKb() / 1024.0, peak.fileKb() / 1024.0));
            }
            row.append(String.format(Locale.ROOT, " **%.0f MiB** | %d KiB |", phase.peakTotalKb() / 1024.0,
                    phase.peakSwapKb()));
            System.out.println(row);
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Process> service : services.entrySet()) {
            if (!service.getValue().isAlive()) {
                problems.add(service.getKey() + " exited with " + service.getValue().exitValue());
            }
            Path log = work.resolve(service.getKey() + ".log");
            if (Files.readString(log).contains("OutOfMemoryError")) {
                problems.add(service.getKey() + " logged an OutOfMemoryError");
            }
        }
        System.out.printf(Locale.ROOT, "Committed to Kafka from the publishers: %,d of %,d published;"
                + " the drain took %.1f s after they stopped. %s%n", committed, published, drainSeconds,
                problems.isEmpty() ? "No service died or ran out of heap." : "PROBLEMS: " + String.join("; ", problems));
        if (profile == MemoryProfile.MB_512) {
            System.out.println("Goal of the 512mb profile: under 300 MiB for all services together, no "
                    + "OutOfMemoryError, no swap.");
        }
    }

    /** Samples the services' memory (thread {@code memory-sampler}) into the current phase's peaks. */
    private static final class MemorySampler implements AutoCloseable {
        record PhasePeaks(String name, Map<String, ResidentMemory.Sample> peaks, long peakTotalKb, long peakSwapKb) {}

        private final Map<String, Process> services;
        private final List<PhasePeaks> finished = new ArrayList<>();
        private final AtomicReference<PhasePeaks> current = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;

        MemorySampler(Map<String, Process> services) {
            this.services = services;
            this.thread = Thread.ofPlatform().name("memory-sampler").start(this::run);
        }

        synchronized void phase(String name) {
            PhasePeaks previous = current.getAndSet(new PhasePeaks(name, new LinkedHashMap<>(), 0, 0));
            if (previous != null) {
                finished.add(previous);
            }
        }

        synchronized List<PhasePeaks> phases() {
            return List.copyOf(finished);
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            synchronized (this) {
                PhasePeaks last = current.getAndSet(null);
                if (last != null) {
                    finished.add(last);
                }
            }
        }

        private void run() {
            while (running) {
                try {
                    sample();
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    // a service exited; the report says so
                }
            }
        }

        private synchronized void sample() throws IOException {
            PhasePeaks phase = current.get();
            if (phase == null) {
                return;
            }
            long total = 0;
            long swap = 0;
            Map<String, ResidentMemory.Sample> peaks = new LinkedHashMap<>(phase.peaks());
            for (Map.Entry<String, Process> service : services.entrySet()) {
                ResidentMemory.Sample sample = ResidentMemory.sample(service.getValue().pid());
                total += sample.rssKb();
                swap += sample.swapKb();
                peaks.merge(service.getKey(), sample, (a, b) -> a.rssKb() >= b.rssKb() ? a : b);
            }
            current.set(new PhasePeaks(phase.name(), peaks, Math.max(total, phase.peakTotalKb()),
                    Math.max(swap, phase.peakSwapKb())));
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
