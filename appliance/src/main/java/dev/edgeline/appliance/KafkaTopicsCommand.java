package dev.edgeline.appliance;

import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.bridge.topics.TopicCheck;
import dev.edgeline.bridge.topics.TopicPlan;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * {@code edge kafka topics --config FILE [--create] [--bootstrap B] [--command-config FILE] [--partitions 6]
 * [--retention 7d|forever] [--replication N] [--timeout 30s]}: checks (and with {@code --create} first creates) every
 * Kafka topic the device configuration needs ({@link TopicPlan}): the routes' data topics, the gap topic and, exactly
 * once, the checkpoint topic and its anchor; with commands, the device's command topic and the results topic. Prints one line per topic with what it is for, its partitions and
 * replication, and its state: {@code ok}, {@code created}, {@code MISSING}, or {@code PROBLEM} with what breaks the
 * delivery contract; notes say what only weakens it. The device's own Kafka settings ({@code kafka.bootstrap-servers},
 * {@code kafka.security}) are used unless {@code --bootstrap} or {@code --command-config} (Kafka client properties, as
 * Kafka's own tools take them: an operator's credentials, which may create topics) say otherwise. Exit status 0 when
 * every topic is there without problems, 3 otherwise, 1 when Kafka cannot be reached, 2 on bad input.
 */
final class KafkaTopicsCommand {
    private final PrintStream out;
    private final PrintStream err;

    KafkaTopicsCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir", "bootstrap", "command-config",
                "partitions", "retention", "replication", "timeout"), Set.of("create"));
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, DeviceService.none());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        int partitions = positive(parsed, "partitions", TopicPlan.DEFAULT_DATA_PARTITIONS);
        int replication = positive(parsed, "replication", 0);
        Duration retention = parsed.option("retention").filter("forever"::equals).isPresent() ? null
                : parsed.duration("retention").orElse(TopicPlan.DEFAULT_RETENTION);
        Duration timeout = parsed.duration("timeout").orElse(Duration.ofSeconds(30));
        TopicPlan plan = TopicPlan.of(config.bridge(), config.device().id(), partitions, retention);
        Properties admin;
        try {
            admin = adminProperties(config, parsed, timeout);
        } catch (IOException e) {
            err.println("edge kafka topics: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        String bootstrap = admin.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin client = Admin.create(admin)) {
            TopicCheck check = new TopicCheck(client, timeout);
            List<String> created = parsed.flag("create") ? check.createMissing(plan, replication) : List.of();
            return report(bootstrap, check.inspect(plan), created);
        } catch (ExecutionException e) {
            err.println("edge kafka topics: " + bootstrap + ": " + e.getCause());
            return ExitCodes.FAILURE;
        } catch (TimeoutException | KafkaException e) {
            err.println("edge kafka topics: cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds()
                    + " s: " + e);
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    private int report(String bootstrap, List<TopicCheck.Finding> findings, List<String> created) {
        out.println("topics for this configuration on " + bootstrap + ":");
        out.printf(Locale.ROOT, "%-40s %-18s %10s %11s  %s%n", "topic", "for", "partitions", "replication",
                "state");
        boolean allOk = true;
        for (TopicCheck.Finding finding : findings) {
            String state;
            if (!finding.exists()) {
                state = "MISSING (planned: " + finding.topic().partitions() + " partition(s), " + finding.topic()
                        .configs() + "); --create creates it";
            } else if (!finding.problems().isEmpty()) {
                state = "PROBLEM: " + String.join("; ", finding.problems());
            } else {
                state = created.contains(finding.topic().name()) ? "created" : "ok";
            }
            allOk &= finding.ok();
            out.printf(Locale.ROOT, "%-40s %-18s %10s %11s  %s%n", finding.topic().name(), finding.topic().role()
                    .label(), finding.exists() ? finding.partitions() : "-", finding.exists()
                    ? finding.replication() : "-", state);
            for (String note : finding.notes()) {
                out.println("    note: " + note);
            }
        }
        return allOk ? ExitCodes.OK : ExitCodes.PROBLEM_FOUND;
    }

    private static int positive(Arguments parsed, String name, int defaultValue) throws Arguments.UsageException {
        String text = parsed.option(name).orElse(null);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Arguments.UsageException("--" + name + " must be a whole number of at least 1, not '" + text + "'");
    }

    private static Properties adminProperties(DeviceConfig config, Arguments parsed, Duration timeout)
            throws IOException {
        Properties p = new Properties();
        if (parsed.option("command-config").isPresent()) {
            Path file = Path.of(parsed.option("command-config").get());
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new IOException("--command-config " + file + ": " + e.getMessage(), e);
            }
        } else {
            p.putAll(SecurityProperties.of(config.bridge().security()));
        }
        p.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bridge().bootstrapServers());
        parsed.option("bootstrap").ifPresent(b -> p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 15_000));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "edge-kafka-topics");
        return p;
    }
}
