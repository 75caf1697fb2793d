package dev.edgeline.workbench;

import dev.edgeline.appliance.Arguments;
import dev.edgeline.appliance.ExitCodes;
import dev.edgeline.appliance.ServiceRunner;
import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.BridgedRecordCollector;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.appliance.EdgeBrokerService;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.Route;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/edge demo}: the whole data path on this machine. Starts a real single-node KRaft Kafka, the broker with
 * spool and bridge, and the agent with the simulated sensors of {@code config/demo.yaml}; prints every record as an
 * independent read_committed consumer reads it from Kafka; on {@code --duration} or Ctrl-C stops sampling, waits
 * for the pipeline to drain and prints one summary line, for example
 * {@code demo: 1200 published, 1200 in kafka, 0 duplicates, 0 missing}. Exit status 3 if anything is missing or
 * duplicated.
 */
final class DemoCommand {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    private final PrintStream out;
    private final PrintStream err;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("duration", "config", "data-dir"));
        Duration duration = parsed.duration("duration").orElse(null);
        Path configFile = parsed.path("config", defaultConfig());
        Path dataDir;
        try {
            dataDir = parsed.option("data-dir").isPresent() ? Files.createDirectories(parsed.path("data-dir", null))
                    : Files.createTempDirectory("edge-demo-");
        } catch (IOException e) {
            err.println("edge demo: cannot create the data directory: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        DeviceConfig config = ServiceRunner.loadOrReport(configFile, dataDir, err,
                dev.edgeline.config.DeviceService.all());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        int kafkaPort = Integer.parseInt(config.bridge().bootstrapServers().split(",")[0].replaceAll(".*:", ""));
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("demo-shutdown").unstarted(() -> {
            stop.countDown();
            try {
                finished.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            return runDemo(config, dataDir, kafkaPort, duration, stop);
        } catch (IOException e) {
            err.println("edge demo: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        } finally {
            finished.countDown();
        }
    }

    private int runDemo(DeviceConfig config, Path dataDir, int kafkaPort, Duration duration, CountDownLatch stop)
            throws IOException, InterruptedException {
        err.println("demo: data in " + dataDir);
        Set<Identity> published = ConcurrentHashMap.newKeySet();
        List<String> topics = config.bridge().routes().stream().map(Route::kafkaTopic).distinct().toList();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort)) {
            err.println("demo: Kafka on " + kafka.bootstrapServers() + " (try: kcat -X isolation.level=read_committed -b " + kafka.bootstrapServers()
                    + " -C -t " + topics.getFirst() + " -f '%k %s\\n')");
            try (EdgeBrokerService broker = EdgeBrokerService.start(config);
                 BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(), topics,
                         seen -> out.println(seen.topic() + "[" + seen.partition() + "]@" + seen.offset() + " "
                                 + seen.key() + " boot=" + seen.identity().boot() + " seq=" + seen.identity().seq()
                                 + " " + seen.payload()));
                 EdgeAgent agent = EdgeAgent.create(config, reading -> published.add(
                         new Identity(reading.device(), reading.stream(), reading.boot(), reading.seq())))) {
                collector.start();
                agent.start();
                err.println("demo: running " + (duration == null ? "until Ctrl-C" : "for " + duration.toSeconds() + " s"));
                if (duration == null) {
                    stop.await();
                } else if (stop.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                    err.println("demo: stopped before " + duration.toSeconds() + " s");
                }
                agent.stopSampling();
                err.println("demo: stopping; waiting for every published reading to reach Kafka");
                agent.awaitAcknowledged(DRAIN_TIMEOUT);
                long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
                while (System.nanoTime() < deadline && !published.stream().allMatch(collector::contains)) {
                    Thread.sleep(100);
                }
                Thread.sleep(1_000); // a last look for late duplicates
                long missing = published.stream().filter(id -> !collector.contains(id)).count();
                long inKafka = collector.distinct().stream().filter(id -> id.device().equals(config.device().id())).count();
                String summary = "demo: " + published.size() + " published, " + inKafka + " in kafka, "
                        + collector.duplicates() + " duplicates, " + missing + " missing";
                out.println(summary);
                return missing == 0 && collector.duplicates() == 0 ? ExitCodes.OK : ExitCodes.DEMO_MISMATCH;
            }
        }
    }

    private static Path defaultConfig() {
        String home = System.getProperty("edge.home");
        return home == null ? Path.of("config", "demo.yaml") : Path.of(home, "config", "demo.yaml");
    }
}
