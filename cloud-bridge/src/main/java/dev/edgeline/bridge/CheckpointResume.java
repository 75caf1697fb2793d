package dev.edgeline.bridge;

import dev.edgeline.bridge.internal.Checkpoint;
import dev.edgeline.broker.spool.SpoolReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an exactly-once bridge resumes: per lane, the later of the spool cursor and Kafka's committed checkpoint
 * (what Kafka has is never sent again; what the cursor passed was committed); a checkpoint of another spool (its id
 * differs: the spool was wiped or replaced) is ignored, and without a checkpoint the cursor is where it resumes.
 */
final class CheckpointResume {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBridge.class);

    private CheckpointResume() {}

    /**
     * Moves {@code reader} to where forwarding resumes.
     *
     * @param quiet whether the bridge is retrying after a local failure (an unchanged position is not logged again)
     */
    static void resume(SpoolReader reader, Optional<Checkpoint> committed, String checkpointTopic, boolean quiet,
                       String logPrefix) throws IOException {
        Map<String, Long> local = reader.committedPositions();
        if (committed.isEmpty()) {
            LOG.info("{}no checkpoint in {} yet; starting from the spool cursor {}", logPrefix, checkpointTopic, local);
            reader.rewind();
            return;
        }
        if (!committed.get().spoolId().equals(reader.spoolId())) {
            LOG.warn("{}the checkpoint in {} belongs to another spool ({}, this one is {}); starting from the spool "
                    + "cursor {}", logPrefix, checkpointTopic, committed.get().spoolId(), reader.spoolId(), local);
            reader.rewind();
            return;
        }
        Map<String, Long> resume = new LinkedHashMap<>(local);
        committed.get().positions().forEach((lane, position) -> resume.merge(lane, position, Math::max));
        if (!resume.equals(local) && !quiet) {
            LOG.info("{}resuming from the Kafka checkpoint {} (spool cursor was {})", logPrefix, resume, local);
        }
        reader.commitPositions(resume);
    }
}
