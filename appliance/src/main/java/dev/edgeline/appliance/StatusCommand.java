package dev.edgeline.appliance;

import dev.edgeline.broker.spool.SpoolInspector;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.edgeline.broker.receipts.StreamReceipts;
import dev.edgeline.appliance.analyst.DesiredStateReport;
import java.util.Map;

/**
 * {@code bin/edge status --config FILE}: the spool backlog per lane (bytes not yet forwarded, age of the oldest
 * record waiting) and what the bridge last reported (state, rate, estimated time to drain, last error, how long ago
 * it reported and committed); with {@code --streams}, every stream's receipt (last seq ingested, last seq in Kafka,
 * lag). Read-only.
 */
final class StatusCommand {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Duration STALE_REPORT = Duration.ofSeconds(20);
    private final PrintStream out;
    private final PrintStream err;

    StatusCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir"), Set.of("streams"));
        // Read-only: no service's files are read, no directory written.
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, DeviceService.none());
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        Path spool = config.spool().directory();
        try {
            SpoolInspector.View view = SpoolInspector.inspect(spool, "bridge");
            out.println("device " + view.device() + ", spool " + spool + " (id " + view.spoolId() + ")");
            out.printf(Locale.ROOT, "%-12s %14s %16s%n", "lane", "backlog", "oldest waiting");
            long now = System.currentTimeMillis();
            for (SpoolInspector.LaneView lane : view.lanes()) {
                String age = lane.oldestUnreadReceivedAtMillis().isPresent()
                        ? human(Duration.ofMillis(now - lane.oldestUnreadReceivedAtMillis().getAsLong())) : "-";
                out.printf(Locale.ROOT, "%-12s %14s %16s%n", lane.lane(), bytes(lane.backlogBytes()), age);
            }
            printBridge(spool, now);
            if (config.bridge().commands().enabled()) {
                printCommands(config.bridge().commands().directory(), now);
                printDesired(config.bridge().commands().directory());
            }
            if (parsed.flag("streams")) {
                printStreams(spool, now);
            }
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("edge status: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    /** The command bridge's last report (pending commands, results not yet in Kafka), with its age. */
    private void printCommands(Path directory, long now) throws IOException {
        String report;
        try {
            report = Files.readString(directory.resolve(dev.edgeline.bridge.commands.CommandStatusFile.NAME),
                    StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            out.println("commands: no status reported yet (the command bridge runs beside the bridge)");
            return;
        }
        if (!report.startsWith("{") || !report.endsWith("}")) {
            out.println("commands: its last status report is empty or cut short; it is rewritten every 5 s");
            return;
        }
        Matcher state = Pattern.compile("\"state\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(report);
        long age = now - field(report, "reported_at");
        out.printf(Locale.ROOT, "commands: %s; %d pending (%s), %d result(s) waiting for Kafka; %d read and %d "
                        + "result(s) written since start; reported %s ago%s%n", state.find() ? state.group(1) : "?",
                field(report, "pending"), bytes(field(report, "pending_bytes")), field(report, "results_waiting"),
                field(report, "received"), field(report, "results_written"), human(Duration.ofMillis(age)),
                age > STALE_REPORT.toMillis() ? " (SILENT: is the command bridge running?)" : "");
    }

    /**
     * The desired state the device last read against what its agent reported ({@code desired.status}, written by the
     * command bridge): the verdict, then each entry desired and reported. Only what reached the device is known here;
     * {@code bin/edge command desired} asks Kafka.
     */
    private void printDesired(Path directory) throws IOException {
        com.fasterxml.jackson.databind.JsonNode status;
        try {
            status = JSON.readTree(Files.readAllBytes(directory.resolve(
                    dev.edgeline.bridge.commands.DesiredStatusFile.NAME)));
        } catch (NoSuchFileException e) {
            out.println("desired state: not reported yet (the command bridge writes it beside commands.status)");
            return;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            status = null; // a power cut can leave it cut short (written without fsync: a report)
        }
        if (status == null || !status.isObject()) {
            out.println("desired state: its last report is empty or cut short; it is rewritten every 5 s");
            return;
        }
        if (!status.path("topic_read").asBoolean()) {
            out.println("desired state: not read since the command bridge started (Kafka not reached yet, or no "
                    + "readable desired-state topic: see its log)");
            return;
        }
        if (status.path("desired_id").isNull()) {
            out.println("desired state: the desired-state topic is empty, or not yet read to its end");
            return;
        }
        DesiredStateReport report = DesiredStateReport.fromDeviceStatus(status);
        DesiredStateReport.Verdict verdict = report.verdict();
        out.println("desired state: " + verdict.state() + (verdict.detail().isEmpty() ? "" : ": " + verdict.detail())
                + (report.desiredUpTo() < 0 ? "" : " (desired-" + report.desiredUpTo() + ", as last read from "
                + "Kafka)"));
        report.desired().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.println(
                "  " + e.getKey() + " desired " + e.getValue() + ", reported " + reported(report, e.getKey())));
    }

    /** The agent's applied entry for {@code key} without its name ({@code {"period":"2s",...}}), or -. */
    private static String reported(DesiredStateReport report, String key) {
        com.fasterxml.jackson.databind.JsonNode entry = report.reportedEntry(key);
        if (entry == null || !entry.isObject()) {
            return "-";
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = entry.deepCopy();
        copy.remove(key.split("/", 2)[0]);
        return copy.toString();
    }

    /** The bridge's last report, with its age: a bridge that stopped reporting is said to be silent, not live. */
    private void printBridge(Path spool, long now) throws IOException {
        String report;
        try {
            report = Files.readString(spool.resolve(BridgeStatusFile.FILE), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            out.println("bridge: no status reported yet (is edge-broker or edge-bridge running?)");
            return;
        }
        if (!report.startsWith("{") || !report.endsWith("}")) {
            // Written without fsync (a report): a power cut can leave it empty or cut short.
            out.println("bridge: its last status report is empty or cut short (as a power cut may leave it); the "
                    + "bridge rewrites it every 5 s while it runs");
            return;
        }
        long reportedAt = field(report, "reported_at");
        long lastCommit = field(report, "last_commit_at");
        String reported = reportedAt <= 0 ? "at an unknown time"
                : human(Duration.ofMillis(Math.max(0, now - reportedAt))) + " ago";
        out.println("bridge (reported " + reported + "): " + report);
        if (reportedAt > 0 && now - reportedAt > STALE_REPORT.toMillis()) {
            out.println("bridge: SILENT: no report for " + human(Duration.ofMillis(now - reportedAt))
                    + " (it reports every 5 s): edge-bridge or edge-broker is not running or is stuck");
        }
        out.println("bridge: last commit to Kafka " + (lastCommit <= 0 ? "none since its start"
                : human(Duration.ofMillis(Math.max(0, now - lastCommit))) + " ago"));
    }

    private void printStreams(Path spool, long now) throws IOException {
        try (StreamReceipts receipts = StreamReceipts.openToRead(spool)) {
            List<StreamReceipts.Receipt> all = receipts.snapshot();
            out.printf(Locale.ROOT, "%-40s %-12s %18s %10s %18s %10s %10s%n", "stream (device/stream)", "lane",
                    "ingested boot/seq", "at", "in kafka boot/seq", "at", "lag");
            for (StreamReceipts.Receipt r : all) {
                out.printf(Locale.ROOT, "%-40s %-12s %18s %10s %18s %10s %10d%n", r.device() + "/" + r.stream(),
                        r.lane().isEmpty() ? "-" : r.lane(),
                        r.ingestedAtMillis() == 0 ? "-" : r.ingestedBoot() + "/" + r.ingestedSeq(),
                        ago(r.ingestedAtMillis(), now),
                        r.committedAtMillis() == 0 ? "-" : r.committedBoot() + "/" + r.committedSeq(),
                        ago(r.committedAtMillis(), now), r.lagRecords());
            }
            out.println(all.size() + " stream(s); lag = records ingested and not yet in Kafka, counted by seq");
        }
    }

    private static String ago(long atMillis, long now) {
        return atMillis == 0 ? "-" : human(Duration.ofMillis(Math.max(0, now - atMillis)));
    }

    /** A number field of the bridge's one-line JSON report; -1 when absent (a report of an older release). */
    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String human(Duration age) {
        if (age.toSeconds() < 120) {
            return age.toSeconds() + " s";
        }
        if (age.toMinutes() < 120) {
            return age.toMinutes() + " min";
        }
        return age.toHours() + " h";
    }
}
