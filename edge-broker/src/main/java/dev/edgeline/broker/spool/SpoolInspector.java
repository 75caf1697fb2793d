package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.DurablePositionsFile;
import dev.edgeline.broker.spool.internal.FrameReader;
import dev.edgeline.broker.spool.internal.SegmentDirectory;
import dev.edgeline.broker.spool.internal.SpoolMeta;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Looks at a spool directory from outside (for {@code bin/edge status}), read-only: registers no reader and takes no
 * lock, so it never holds back deletion or disturbs the writer.
 */
public final class SpoolInspector {
    private SpoolInspector() {}

    /** One lane as seen by a reader. */
    public record LaneView(String lane, long durableEnd, long readerPosition, long backlogBytes,
                           OptionalLong oldestUnreadReceivedAtMillis) {}

    /** The spool's identity and lanes, with the backlog of the named reader. */
    public record View(String spoolId, String device, List<LaneView> lanes) {}

    public static View inspect(Path directory, String readerName) throws IOException {
        SpoolMeta meta = SpoolMeta.read(directory);
        Map<String, Long> cursor = new CursorFile(directory.resolve("readers").resolve(readerName + ".cursor")).read();
        List<LaneView> lanes = new ArrayList<>();
        try (DurablePositionsFile durable = DurablePositionsFile.forReader(directory.resolve("spool.durable"),
                meta.lanes().size())) {
            for (int i = 0; i < meta.lanes().size(); i++) {
                String lane = meta.lanes().get(i);
                Path laneDirectory = directory.resolve("lanes").resolve(lane);
                List<Long> bases = SegmentDirectory.list(laneDirectory);
                long start = bases.isEmpty() ? 0 : bases.getFirst();
                long end = durable.get(i);
                long position = Math.max(start, cursor.getOrDefault(lane, start));
                lanes.add(new LaneView(lane, end, position, Math.max(0, end - position),
                        oldestUnread(laneDirectory, bases, position, end)));
            }
        }
        return new View(meta.id(), meta.device(), lanes);
    }

    /** Arrival time of the first data record at or after {@code position}, if one is durable. */
    private static OptionalLong oldestUnread(Path laneDirectory, List<Long> bases, long position, long end)
            throws IOException {
        FrameReader frames = new FrameReader();
        for (int i = bases.size() - 1; i >= 0; i--) {
            long base = bases.get(i);
            if (base > position) {
                continue;
            }
            Path file = SegmentDirectory.pathFor(laneDirectory, base);
            if (!Files.exists(file)) {
                return OptionalLong.empty();
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long limit = Math.min(channel.size(), end - base);
                long offset = position - base;
                for (int n = 0; n < 3 && offset < limit; n++) {
                    FrameReader.Frame frame = frames.read(channel, offset, limit);
                    if (frame == null) {
                        return OptionalLong.empty();
                    }
                    if (!frame.decoded().isMarks() && frame.decoded().record().kind() == RecordKind.DATA) {
                        return OptionalLong.of(frame.decoded().record().receivedAtMillis());
                    }
                    offset += frame.size();
                }
            }
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
