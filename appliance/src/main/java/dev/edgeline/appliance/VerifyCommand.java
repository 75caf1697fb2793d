package dev.edgeline.appliance;

import dev.edgeline.appliance.analyst.AgentDeclarations;
import dev.edgeline.appliance.analyst.GapMarkerIndex;
import dev.edgeline.appliance.analyst.RecordIdentity;
import dev.edgeline.appliance.analyst.StreamAudit;
import dev.edgeline.appliance.analyst.TopicReader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.KafkaException;

/**
 * {@code bin/edge verify --bootstrap B --topic T[,T2] [--gap-topic edge.gaps] [--timeout 60s]}: an analyst's check of
 * what reached Kafka, with a read_committed consumer from the beginning to the end offsets at start. Per device and
 * stream: records, duplicates, out of order, and holes in {@code seq}, each either explained by a gap marker in the
 * gap topic or not. Exit status 0 when there are no duplicates, nothing out of order and no unexplained hole; 3
 * otherwise; 1 when Kafka cannot be read.
 */
final class VerifyCommand {
    private final PrintStream out;
    private final PrintStream err;

    VerifyCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("bootstrap", "topic", "gap-topic", "timeout"));
        TopicOptions options = TopicOptions.of(parsed);
        String bootstrap = options.bootstrap();
        List<String> topics = options.topics();
        String gapTopic = parsed.option("gap-topic").orElse("edge.gaps");
        Duration timeout = parsed.duration("timeout").orElse(Duration.ofSeconds(60));
        Map<String, StreamAudit> streams = new TreeMap<>();
        GapMarkerIndex gaps = new GapMarkerIndex();
        long[] withoutIdentity = new long[1];
        long read;
        try (TopicReader reader = new TopicReader(bootstrap)) {
            read = reader.readToEnd(reader.partitionsOf(topics, timeout), timeout, record -> {
                RecordIdentity identity = RecordIdentity.of(record);
                if (identity == null) {
                    withoutIdentity[0]++;
                } else {
                    streams.computeIfAbsent(identity.device() + "/" + identity.stream(), k -> new StreamAudit())
                            .add(identity.boot(), identity.seq());
                    if (AgentDeclarations.declaresSkippedSeq(record.value())) {
                        gaps.addDeclaration(record.value()); // the agent's: seq an unclean stop left unused or lost
                    }
                }
            });
            try (TopicReader gapReader = new TopicReader(bootstrap)) {
                gapReader.readToEnd(gapReader.partitionsOf(List.of(gapTopic), timeout), timeout,
                        record -> gaps.add(record.value()));
            } catch (IllegalArgumentException noGapTopic) {
                // no gap topic yet: nothing was ever lost on purpose
            }
        } catch (KafkaException | IllegalStateException | IllegalArgumentException e) {
            err.println("edge verify: cannot read " + String.join(",", topics) + " from " + bootstrap + ": "
                    + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return report(topics, gapTopic, read, withoutIdentity[0], streams, gaps);
    }

    private int report(List<String> topics, String gapTopic, long read, long withoutIdentity,
                       Map<String, StreamAudit> streams, GapMarkerIndex gaps) {
        out.printf(Locale.ROOT, "verify: %,d record(s) in %s (read_committed, up to the end at start); %d gap "
                + "marker(s) in %s %s; %d skipped-seq declaration(s) by agents after an unclean stop%n", read,
                String.join(",", topics), gaps.markers(), gapTopic, gaps.markersByReason(), gaps.declarations());
        out.printf(Locale.ROOT, "%-44s %10s %10s %12s %16s %16s%n", "device/stream", "records", "duplicates",
                "out-of-order", "holes (records)", "unexplained");
        long duplicates = 0;
        long outOfOrder = 0;
        long unexplained = 0;
        for (Map.Entry<String, StreamAudit> entry : streams.entrySet()) {
            StreamAudit audit = entry.getValue();
            List<StreamAudit.Hole> holes = audit.holes();
            List<StreamAudit.Hole> open = audit.unexplained(gaps.lossesOf(entry.getKey()));
            long missing = holes.stream().mapToLong(StreamAudit.Hole::size).sum();
            long openMissing = open.stream().mapToLong(StreamAudit.Hole::size).sum();
            out.printf(Locale.ROOT, "%-44s %,10d %,10d %,12d %16s %,16d%n", entry.getKey(), audit.records(),
                    audit.duplicates(), audit.outOfOrder(), holes.size() + " (" + missing + ")", openMissing);
            for (StreamAudit.Hole hole : open) {
                out.printf(Locale.ROOT, "  unexplained hole: seq %d..%d (%d record(s)), no gap marker covers it%n",
                        hole.first(), hole.last(), hole.size());
            }
            duplicates += audit.duplicates();
            outOfOrder += audit.outOfOrder();
            unexplained += openMissing;
        }
        if (withoutIdentity > 0) {
            out.printf(Locale.ROOT, "%d record(s) without device/stream/boot/seq headers were not checked%n",
                    withoutIdentity);
        }
        boolean clean = duplicates == 0 && outOfOrder == 0 && unexplained == 0;
        out.println(clean ? "verify: OK: no duplicates, nothing out of order, every hole explained by a gap marker"
                : String.format(Locale.ROOT, "verify: PROBLEMS: %d duplicate(s), %d out of order, %d record(s) "
                        + "missing without a gap marker", duplicates, outOfOrder, unexplained));
        return clean ? ExitCodes.OK : ExitCodes.DEMO_MISMATCH;
    }
}
