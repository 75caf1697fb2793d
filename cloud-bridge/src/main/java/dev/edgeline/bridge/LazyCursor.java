package dev.edgeline.bridge;

import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The spool cursor of an exactly-once bridge: Kafka's checkpoint is what the bridge resumes from, so the local cursor
 * only lets the spool delete what Kafka has. It is advanced in memory with every committed batch and written at most
 * once a {@link #WRITE_INTERVAL}, and as soon as the bridge is idle. Bridge thread.
 */
final class LazyCursor {
    static final Duration WRITE_INTERVAL = Duration.ofSeconds(1);

    private long lastWriteNanos = System.nanoTime();
    private boolean behind;

    /** After a batch is committed to Kafka: advance, and write the cursor when it is due. */
    void committed(SpoolReader reader, List<SpooledRecord> batch) throws IOException {
        reader.advance(batch);
        long now = System.nanoTime();
        if (now - lastWriteNanos > WRITE_INTERVAL.toNanos()) {
            write(reader, now);
        } else {
            behind = true;
        }
    }

    /** Nothing to forward: write what is kept, so that the spool can delete and status sees no backlog. */
    void idle(SpoolReader reader) throws IOException {
        if (behind) {
            write(reader, System.nanoTime());
        }
    }

    private void write(SpoolReader reader, long now) throws IOException {
        reader.commitPositions(reader.committedPositions());
        lastWriteNanos = now;
        behind = false;
    }
}
