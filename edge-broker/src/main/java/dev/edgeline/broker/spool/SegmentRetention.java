package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.LaneLog;
import dev.edgeline.broker.spool.internal.RetiredMarksFile;
import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which segments may go: those every reader has consumed (the lowest committed cursor per lane over
 * {@code readers/*.cursor}), deleted by the writer thread; before the records of a stream leave the segments, its
 * mark is kept in {@code marks.retired} so that its retransmissions are still recognised. Writer thread.
 */
final class SegmentRetention {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRetention.class);

    private final Path readers;
    private final List<LaneLog> lanes;
    private final RetiredMarksFile retiredMarks;
    private final StreamMarks marks;
    private final String logPrefix;

    SegmentRetention(Path directory, List<LaneLog> lanes, RetiredMarksFile retiredMarks, StreamMarks marks,
                     String logPrefix) {
        this.readers = directory.resolve("readers");
        this.lanes = lanes;
        this.retiredMarks = retiredMarks;
        this.marks = marks;
        this.logPrefix = logPrefix;
    }

    /** The lowest committed position of any reader in {@code lane} (its start when no reader exists). */
    long minimumCursor(LaneLog lane) throws IOException {
        return readerMinimums().map(m -> m.get(lane.name())).orElse(lane.startPosition());
    }

    /** Keeps the marks of streams whose records leave the segments (before the files are deleted). */
    void retireMarks(Set<StreamKey> streams) throws IOException {
        retiredMarks.retire(streams, marks);
    }

    /** Deletes segments every reader has consumed; a failure is logged and retried next time. */
    void deleteConsumedSegments() {
        try {
            Optional<Map<String, Long>> minimums = readerMinimums();
            if (minimums.isEmpty()) {
                return;
            }
            int deleted = 0;
            for (LaneLog lane : lanes) {
                deleted += lane.deleteBelow(minimums.get().get(lane.name()), this::retireMarks);
            }
            if (deleted > 0) {
                LOG.debug("{}deleted {} consumed segment(s)", logPrefix, deleted);
            }
        } catch (IOException e) {
            LOG.warn("{}could not delete consumed segments (will retry): {}", logPrefix, e.toString());
        }
    }

    /** Per lane, the lowest committed position over all registered readers; empty when there is no reader. */
    private Optional<Map<String, Long>> readerMinimums() throws IOException {
        Map<String, Long> minimum = new HashMap<>();
        boolean anyReader = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(readers, "*.cursor")) {
            for (Path file : files) {
                anyReader = true;
                Map<String, Long> positions = new CursorFile(file).read();
                for (LaneLog lane : lanes) {
                    long position = positions.getOrDefault(lane.name(), lane.startPosition());
                    minimum.merge(lane.name(), position, Math::min);
                }
            }
        }
        return anyReader ? Optional.of(minimum) : Optional.empty();
    }
}
