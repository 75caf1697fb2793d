package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.DurablePositionsFile;
import dev.edgeline.broker.spool.internal.FrameReader;
import dev.edgeline.broker.spool.internal.GapMarkers;
import dev.edgeline.broker.spool.internal.SegmentDirectory;
import dev.edgeline.broker.spool.internal.SpoolMeta;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SpoolReader} over a spool directory, in the writing process or in another one. It learns how far each
 * lane is durable from the writer (in-process) or from the memory-mapped {@code spool.durable} file, and reads the
 * segment files directly. Not thread-safe.
 */
public final class FileSpoolReader implements SpoolReader {
    private static final Logger LOG = LoggerFactory.getLogger(FileSpoolReader.class);

    /** Where the reader learns the durable end of each lane. */
    interface Durability {
        long durable(int lane);

        boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException;

        void committed();
    }

    private final String name;
    private final String spoolId;
    private final String deviceId;
    private final List<LaneCursor> lanes = new ArrayList<>();
    private final CursorFile cursor;
    private final Durability durability;

    private FileSpoolReader(String name, String spoolId, String deviceId, CursorFile cursor, Durability durability) {
        this.name = name;
        this.spoolId = spoolId;
        this.deviceId = deviceId;
        this.cursor = cursor;
        this.durability = durability;
    }

    static FileSpoolReader open(Path directory, String name, Durability durability) throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("reader name must match [a-z0-9][a-z0-9_-]*: " + name);
        }
        SpoolMeta meta = SpoolMeta.read(directory);
        CursorFile cursor = new CursorFile(directory.resolve("readers").resolve(name + ".cursor"));
        Map<String, Long> committed = cursor.read();
        FileSpoolReader reader = new FileSpoolReader(name, meta.id(), meta.device(), cursor, durability);
        for (String lane : meta.lanes()) {
            Path laneDirectory = directory.resolve("lanes").resolve(lane);
            List<Long> bases = SegmentDirectory.list(laneDirectory);
            Long position = committed.get(lane);
            long start = position != null ? position : bases.isEmpty() ? 0 : bases.getFirst();
            reader.lanes.add(reader.new LaneCursor(lane, laneDirectory, start));
        }
        if (committed.isEmpty()) {
            reader.persist(); // register, so that the writer keeps what this reader has not read yet
        }
        return reader;
    }

    /**
     * Opens a reader on a spool written by another process. The writer must have opened the spool at least once;
     * the reader then follows it while it runs.
     */
    public static FileSpoolReader openFromOtherProcess(Path directory, String name) throws IOException {
        SpoolMeta meta = SpoolMeta.read(directory);
        DurablePositionsFile durableFile = DurablePositionsFile.forReader(directory.resolve("spool.durable"),
                meta.lanes().size());
        return open(directory, name, new Durability() {
            @Override
            public long durable(int lane) {
                return durableFile.get(lane);
            }

            @Override
            public boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (!condition.getAsBoolean()) {
                    if (System.nanoTime() >= deadline) {
                        return false;
                    }
                    Thread.sleep(2);
                }
                return true;
            }

            @Override
            public void committed() {
                // The writer scans cursor files every second.
            }
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String spoolId() {
        return spoolId;
    }

    @Override
    public List<SpooledRecord> poll(int maxRecords, int maxBelowFirst, Duration timeout)
            throws IOException, InterruptedException {
        List<SpooledRecord> result = new ArrayList<>();
        if (!durability.await(this::anythingToRead, timeout)) {
            return result;
        }
        int firstLaneRecords = -1;
        for (int i = 0; i < lanes.size() && result.size() < maxRecords; i++) {
            int limit = maxRecords - result.size();
            if (firstLaneRecords >= 0) {
                limit = Math.min(limit, firstLaneRecords + maxBelowFirst - result.size());
                if (limit <= 0) {
                    break;
                }
            }
            lanes.get(i).read(durability.durable(i), limit, result);
            if (firstLaneRecords < 0 && !result.isEmpty()) {
                firstLaneRecords = result.size();
            }
        }
        return result;
    }

    private boolean anythingToRead() {
        for (int i = 0; i < lanes.size(); i++) {
            if (durability.durable(i) > lanes.get(i).position) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void commit(Collection<SpooledRecord> consumed) throws IOException {
        advance(consumed);
        persist();
    }

    @Override
    public void advance(Collection<SpooledRecord> consumed) {
        for (SpooledRecord record : consumed) {
            for (LaneCursor lane : lanes) {
                if (lane.name.equals(record.lane())) {
                    lane.committed = Math.max(lane.committed, record.nextPosition());
                }
            }
        }
    }

    @Override
    public void commitPositions(Map<String, Long> positions) throws IOException {
        for (LaneCursor lane : lanes) {
            Long position = positions.get(lane.name);
            if (position != null) {
                lane.committed = position;
                lane.position = position;
            }
        }
        persist();
    }

    private void persist() throws IOException {
        cursor.write(committedPositions());
        durability.committed();
    }

    @Override
    public Map<String, Long> committedPositions() {
        Map<String, Long> positions = new LinkedHashMap<>();
        for (LaneCursor lane : lanes) {
            positions.put(lane.name, lane.committed);
        }
        return positions;
    }

    @Override
    public void rewind() {
        for (LaneCursor lane : lanes) {
            lane.position = lane.committed;
            lane.frames.reset();
        }
    }

    @Override
    public Map<String, Long> backlogBytes() {
        Map<String, Long> backlog = new LinkedHashMap<>();
        for (int i = 0; i < lanes.size(); i++) {
            backlog.put(lanes.get(i).name, Math.max(0, durability.durable(i) - lanes.get(i).position));
        }
        return backlog;
    }

    @Override
    public void close() {
        lanes.forEach(LaneCursor::close);
    }

    /** Reading state of one lane. */
    private final class LaneCursor {
        final String name;
        final Path directory;
        final FrameReader frames = new FrameReader();
        long position;
        long committed;
        List<Long> bases = List.of();
        long channelBase = -1;
        FileChannel channel;

        LaneCursor(String name, Path directory, long start) {
            this.name = name;
            this.directory = directory;
            this.position = start;
            this.committed = start;
        }

        void read(long durable, int max, List<SpooledRecord> out) throws IOException {
            if (position >= durable) {
                return;
            }
            // Listed after `durable` was read: the writer creates a segment file before any byte of it becomes
            // durable, so this listing holds every segment up to `durable`. Once per poll, not per record.
            bases = SegmentDirectory.list(directory);
            int added = 0;
            while (added < max && position < durable) {
                int index = segmentIndex(position);
                if (index < 0) {
                    bases = SegmentDirectory.list(directory);
                    index = segmentIndex(position);
                }
                if (index < 0) {
                    if (!bases.isEmpty() && position < bases.getFirst()) {
                        LOG.warn("[SpoolReader {}] lane {}: position {} was dropped; continuing at {} (a gap marker "
                                + "in the lane states what was lost)", FileSpoolReader.this.name, name, position,
                                bases.getFirst());
                        position = bases.getFirst();
                        continue;
                    }
                    throw new IOException("lane " + name + " has no segment for position " + position);
                }
                long base = bases.get(index);
                long nextBase = index + 1 < bases.size() ? bases.get(index + 1) : Long.MAX_VALUE;
                long segmentLimit = Math.min(durable, nextBase) - base;
                long offset = position - base;
                if (offset >= segmentLimit) {
                    if (nextBase == Long.MAX_VALUE) {
                        break;
                    }
                    position = nextBase;
                    continue;
                }
                FileChannel ch = channelFor(base);
                if (ch == null) {
                    bases = SegmentDirectory.list(directory);
                    continue;
                }
                FrameReader.Frame frame = frames.read(ch, offset, segmentLimit);
                if (frame == null) {
                    long next = frames.resync(ch, offset, segmentLimit);
                    long end = base + (next < 0 ? segmentLimit : next);
                    LOG.error("[SpoolReader {}] lane {}: damaged bytes {}..{}; reported as a gap marker",
                            FileSpoolReader.this.name, name, position, end);
                    out.add(new SpooledRecord(name, position, end, GapMarkers.marker(deviceId, name,
                            GapMarkers.Reason.DAMAGED, position, end, null, System.currentTimeMillis())));
                    added++;
                    position = end;
                    continue;
                }
                long nextPosition = position + frame.size();
                if (!frame.decoded().isMarks()) {
                    out.add(new SpooledRecord(name, position, nextPosition, frame.decoded().record()));
                    added++;
                }
                position = nextPosition;
            }
        }

        private int segmentIndex(long target) {
            for (int i = bases.size() - 1; i >= 0; i--) {
                if (bases.get(i) <= target) {
                    return i;
                }
            }
            return -1;
        }

        private FileChannel channelFor(long base) throws IOException {
            if (base != channelBase) {
                close();
                try {
                    channel = FileChannel.open(SegmentDirectory.pathFor(directory, base), StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    return null; // dropped meanwhile: the caller re-lists
                }
                channelBase = base;
                frames.reset();
            }
            return channel;
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("close failed: {}", e.toString());
                }
                channel = null;
                channelBase = -1;
            }
        }
    }
}
