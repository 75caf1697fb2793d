package dev.edgeline.broker.spool.internal;

import dev.edgeline.config.DurableDirectories;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's side of one lane: its segment files, the active segment, and its end and durable positions.
 *
 * <p>Segments hold records only. The dedup marks of records that leave (segments deleted or dropped) are handed to
 * a {@link Retirement} first, which keeps them durably ({@link RetiredMarksFile}). Segments written by earlier
 * versions start with a marks checkpoint frame (every mark known then); it is still read from the oldest segment.
 * Confined to the spool's writer thread, except {@link #durablePosition()}, which readers poll.
 */
public final class LaneLog {
    private static final Logger LOG = LoggerFactory.getLogger(LaneLog.class);

    private final String name;
    private final Path directory;
    private final long segmentBytes;
    private final TreeMap<Long, Long> segmentSizes = new TreeMap<>(); // base -> size, for closed segments
    private long closedBytes; // sum of segmentSizes' values, kept with it: the budget check runs per record
    private final TreeMap<Long, Long> oldestReceivedAt = new TreeMap<>(); // base -> receivedAt of first data record
    private FileChannel active;
    private long activeBase;
    private long endPosition;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(256 << 10);
    private volatile long durablePosition;

    private LaneLog(String name, Path directory, long segmentBytes) {
        this.name = name;
        this.directory = directory;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens the lane, recovering it: raises {@code marks} from the first segment's checkpoint and every frame from
     * {@code scanFrom} on (0: everything), handing those data records to {@code scanned}; truncates a torn tail of
     * the last segment, and reports damage inside it.
     */
    public static LaneLog open(String name, Path directory, long segmentBytes, StreamMarks marks, long scanFrom,
                               Consumer<SpoolRecord> scanned) throws IOException {
        DurableDirectories.create(directory);
        LaneLog lane = new LaneLog(name, directory, segmentBytes);
        List<Long> bases = SegmentDirectory.list(directory);
        if (bases.isEmpty()) {
            lane.startSegment(0);
            lane.active.force(true);
            lane.durablePosition = lane.endPosition;
            return lane;
        }
        SegmentScan scans = new SegmentScan(name, marks);
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            boolean last = i == bases.size() - 1;
            Path path = SegmentDirectory.pathFor(directory, base);
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                if (!last && base + size <= scanFrom) {
                    // Wholly covered by the index cache: only its checkpoint (first segment) and first record matter.
                    long firstReceivedAt = scans.peek(channel, base, size, i == 0);
                    if (firstReceivedAt >= 0) {
                        lane.oldestReceivedAt.put(base, firstReceivedAt);
                    }
                    lane.addClosed(base, size);
                    continue;
                }
                // The last segment is read whole even where the index covers it: its records are the ones a
                // publisher resends after a restart, and their content tells a replay from a collision.
                SegmentScan.Result scan = scans.scan(channel, base, size, i == 0,
                        last ? 0 : Math.max(0, scanFrom - base), scanned);
                if (scan.firstReceivedAt() >= 0) {
                    lane.oldestReceivedAt.put(base, scan.firstReceivedAt());
                }
                long validEnd = scan.validEnd();
                if (last && validEnd < size) {
                    LOG.warn("[Spool lane={}] torn tail in {}: truncating {} byte(s) after the last complete record",
                            name, path.getFileName(), size - validEnd);
                    try (FileChannel rw = FileChannel.open(path, StandardOpenOption.WRITE)) {
                        rw.truncate(validEnd);
                        rw.force(true);
                    }
                    size = validEnd;
                }
                if (last) {
                    lane.activeBase = base;
                    lane.endPosition = base + size;
                } else {
                    lane.addClosed(base, size);
                }
            }
        }
        lane.active = FileChannel.open(SegmentDirectory.pathFor(directory, lane.activeBase), StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        lane.active.position(lane.endPosition - lane.activeBase);
        lane.durablePosition = lane.endPosition;
        return lane;
    }

    /** Creates an empty segment at {@code base}. */
    private void startSegment(long base) throws IOException {
        Path path = SegmentDirectory.pathFor(directory, base);
        active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        activeBase = base;
        endPosition = base;
        DurableDirectories.sync(directory);
    }

    /** Keeps the marks of the streams whose records are about to be deleted; called before the files go. */
    @FunctionalInterface
    public interface Retirement {
        void retire(Set<StreamKey> streams) throws IOException;
    }

    public String name() {
        return name;
    }

    /** Bytes buffered or written but not yet forced. */
    public long pendingBytes() {
        return endPosition - durablePosition + buffer.position();
    }

    /** Bytes on disk (closed segments plus the active one, including what is buffered for it). */
    public long bytesOnDisk() {
        return closedBytes + (endPosition - activeBase) + buffer.position();
    }

    private void addClosed(long base, long size) {
        segmentSizes.put(base, size);
        closedBytes += size;
    }

    private void removeClosed(long base) {
        Long size = segmentSizes.remove(base);
        if (size != null) {
            closedBytes -= size;
        }
    }

    public int segmentCount() {
        return segmentSizes.size() + 1;
    }

    /**
     * Encodes {@code record} for writing, rolling to a new segment first when it would not fit in the active one.
     * Returns the record's position.
     */
    public long add(SpoolRecord record) throws IOException {
        int size = RecordCodec.frameSize(record);
        long activeSize = endPosition - activeBase + buffer.position();
        if (activeSize > 0 && activeSize + size > segmentBytes) {
            flush();
            active.force(false);
            addClosed(activeBase, endPosition - activeBase);
            active.close();
            startSegment(endPosition);
        }
        if (buffer.remaining() < size) {
            flush();
            if (buffer.capacity() < size) {
                buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size) << 1);
            }
        }
        long position = endPosition + buffer.position();
        if (record.kind() == RecordKind.DATA && !oldestReceivedAt.containsKey(activeBase)) {
            oldestReceivedAt.put(activeBase, record.receivedAtMillis());
        }
        RecordCodec.encode(record, buffer);
        return position;
    }

    /** Writes buffered frames to the active segment (no fsync). */
    public void flush() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                endPosition += active.write(buffer);
            }
        } finally {
            buffer.clear();
        }
    }

    /** Writes and fsyncs everything added; returns whether there was anything. */
    public boolean commit() throws IOException {
        if (pendingBytes() == 0) {
            return false;
        }
        flush();
        active.force(false);
        return true;
    }

    /** After a successful commit: what was written is durable. */
    public void publishDurable() {
        durablePosition = endPosition;
    }

    public long durablePosition() {
        return durablePosition;
    }

    /** Undoes everything since the last durable position: removes segments created since, truncates the rest. */
    public void rollBack() {
        buffer.clear();
        try {
            while (activeBase > durablePosition) {
                active.close();
                Files.deleteIfExists(SegmentDirectory.pathFor(directory, activeBase));
                oldestReceivedAt.remove(activeBase);
                Map.Entry<Long, Long> previous = segmentSizes.lastEntry();
                removeClosed(previous.getKey());
                activeBase = previous.getKey();
                active = FileChannel.open(SegmentDirectory.pathFor(directory, activeBase), StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
            }
            active.truncate(durablePosition - activeBase);
            active.position(durablePosition - activeBase);
        } catch (IOException e) {
            LOG.error("[Spool lane={}] rollback failed ({}); the next open truncates the torn tail", name, e.toString());
        }
        endPosition = durablePosition;
    }

    /** Base of the oldest segment, or -1 when only the active segment exists. */
    public long oldestClosedSegment() {
        return segmentSizes.isEmpty() ? -1 : segmentSizes.firstKey();
    }

    /** The position where the oldest segment starts. */
    public long startPosition() {
        return segmentSizes.isEmpty() ? activeBase : segmentSizes.firstKey();
    }

    /** Arrival time of the oldest data record on disk, or -1 when the lane holds none. */
    public long oldestReceivedAtMillis() {
        for (Map.Entry<Long, Long> entry : oldestReceivedAt.entrySet()) {
            if (entry.getKey() >= startPosition()) {
                return entry.getValue();
            }
        }
        return -1;
    }

    /**
     * Deletes the oldest closed segment (the lane is full and drops its oldest data). Returns what it held from
     * {@code consumedUpTo} on (records below it were already read by every reader, so they are not lost): the
     * data records for the gap marker, and the gap markers found there, which must be carried forward. Returns null
     * when there is no closed segment.
     */
    public Dropped dropOldest(long consumedUpTo, Retirement retirement) throws IOException {
        if (segmentSizes.isEmpty()) {
            return null;
        }
        Map.Entry<Long, Long> oldest = segmentSizes.firstEntry();
        long base = oldest.getKey();
        long end = base + oldest.getValue();
        long from = Math.min(end, Math.max(base, consumedUpTo));
        Path path = SegmentDirectory.pathFor(directory, base);
        GapMarkers.Summary summary = new GapMarkers.Summary();
        List<SpoolRecord> carried = new ArrayList<>();
        Set<StreamKey> streams = new HashSet<>();
        forEachRecord(base, (record, offset) -> {
            if (record.kind() == RecordKind.DATA) {
                streams.add(new StreamKey(record.device(), record.stream()));
            }
            if (base + offset >= from) {
                if (record.kind() == RecordKind.GAP) {
                    carried.add(record);
                } else {
                    summary.add(record);
                }
            }
        });
        retirement.retire(streams);
        removeClosed(base);
        oldestReceivedAt.remove(base);
        Files.deleteIfExists(path);
        DurableDirectories.sync(directory);
        return new Dropped(from, end, summary, carried);
    }

    /** A dropped segment's unconsumed range, the data it held, and the gap markers to carry forward. */
    public record Dropped(long fromPosition, long toPosition, GapMarkers.Summary summary, List<SpoolRecord> carried) {}

    /**
     * Deletes closed segments that lie wholly below {@code position}, after handing the streams they hold to
     * {@code retirement}; returns how many.
     */
    public int deleteBelow(long position, Retirement retirement) throws IOException {
        Set<StreamKey> streams = new HashSet<>();
        boolean any = false;
        for (Map.Entry<Long, Long> segment : segmentSizes.entrySet()) {
            if (segment.getKey() + segment.getValue() > position) {
                break;
            }
            any = true;
            collectStreams(segment.getKey(), streams);
        }
        if (!any) {
            return 0;
        }
        retirement.retire(streams);
        int deleted = 0;
        while (!segmentSizes.isEmpty()) {
            Map.Entry<Long, Long> oldest = segmentSizes.firstEntry();
            if (oldest.getKey() + oldest.getValue() > position) {
                break;
            }
            removeClosed(oldest.getKey());
            oldestReceivedAt.remove(oldest.getKey());
            try {
                Files.delete(SegmentDirectory.pathFor(directory, oldest.getKey()));
            } catch (NoSuchFileException e) {
                // Already gone: nothing to do.
            }
            deleted++;
        }
        if (deleted > 0) {
            DurableDirectories.sync(directory);
        }
        return deleted;
    }

    /** Adds the stream of every data record in the segment at {@code base} (damaged ranges skipped). */
    private void collectStreams(long base, Set<StreamKey> streams) throws IOException {
        forEachRecord(base, (record, offset) -> {
            if (record.kind() == RecordKind.DATA) {
                streams.add(new StreamKey(record.device(), record.stream()));
            }
        });
    }

    /**
     * Hands every record of the segment at {@code base} (not its marks checkpoint) with its offset to
     * {@code consumer}, skipping damaged ranges; nothing when the file is gone.
     */
    private void forEachRecord(long base, java.util.function.ObjLongConsumer<SpoolRecord> consumer)
            throws IOException {
        FrameReader frames = new FrameReader();
        try (FileChannel channel = FileChannel.open(SegmentDirectory.pathFor(directory, base), StandardOpenOption.READ)) {
            long size = channel.size();
            long offset = 0;
            while (offset < size) {
                FrameReader.Frame frame = frames.read(channel, offset, size);
                if (frame == null) {
                    long next = frames.resync(channel, offset, size);
                    if (next < 0) {
                        return;
                    }
                    offset = next;
                    continue;
                }
                if (!frame.decoded().isMarks()) {
                    consumer.accept(frame.decoded().record(), offset);
                }
                offset += frame.size();
            }
        } catch (NoSuchFileException e) {
            // Already gone: nothing of it to read.
        }
    }

    public void close() throws IOException {
        active.close();
    }
}
