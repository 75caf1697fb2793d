package dev.edgeline.appliance;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** Everything a (stopped) broker's spool holds, read with a fresh reader, in spool order. */
final class SpoolContents {
    private SpoolContents() {}

    static List<SpoolRecord> read(DeviceConfig config) throws IOException, InterruptedException {
        List<SpoolRecord> records = new ArrayList<>();
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                InstantSource.system());
             SpoolReader reader = spool.openReader("verify-" + System.nanoTime())) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(10_000, Duration.ofMillis(200))).isEmpty()) {
                batch.forEach(r -> records.add(r.record()));
            }
        }
        return records;
    }
}
