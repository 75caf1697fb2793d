package dev.edgeline.broker.spool;

import dev.edgeline.config.SpoolConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Records, configs and read helpers shared by the spool tests. */
final class SpoolFixtures {
    static final String LANE = SpoolConfig.DEFAULT_LANE;

    private SpoolFixtures() {}

    static SpoolConfig oneLane(Path dir, long segmentBytes) {
        return SpoolConfig.singleLane(dir, segmentBytes, 1L << 30);
    }

    static SegmentedFileSpool open(SpoolConfig config) throws Exception {
        return SegmentedFileSpool.open(config, "pi-1", InstantSource.system());
    }

    static SpoolRecord record(String stream, long boot, long seq) {
        return record(stream, boot, seq, 20);
    }

    static SpoolRecord record(String stream, long boot, long seq, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        byte[] text = ("{\"v\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, payload, 0, Math.min(text.length, payloadBytes));
        return new SpoolRecord("pi-1", stream, boot, seq, "edge/pi-1/" + stream, seq % 2 == 0,
                1_700_000_000_000L + seq, payload);
    }

    static List<SpoolRecord> readAll(Spool spool, String reader) throws Exception {
        return readAllSpooled(spool, reader).stream().map(SpooledRecord::record).toList();
    }

    static List<SpooledRecord> readAllSpooled(Spool spool, String reader) throws Exception {
        try (SpoolReader r = spool.openReader(reader)) {
            List<SpooledRecord> records = new ArrayList<>();
            List<SpooledRecord> batch;
            while (!(batch = r.poll(1_000, Duration.ofMillis(50))).isEmpty()) {
                records.addAll(batch);
            }
            return records;
        }
    }

    static void appendAll(Spool spool, String lane, List<SpoolRecord> records) {
        List<CompletableFuture<AppendOutcome>> futures = records.stream().map(r -> spool.append(lane, r)).toList();
        futures.forEach(CompletableFuture::join);
    }
}
