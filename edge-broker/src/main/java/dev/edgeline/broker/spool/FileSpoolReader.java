package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.CursorFile;
import dev.edgeline.broker.spool.internal.FrameReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link SpoolReader} over a {@link SegmentedFileSpool} in the same process. Not thread-safe. */
final class FileSpoolReader implements SpoolReader {
    private static final Logger LOG = LoggerFactory.getLogger(FileSpoolReader.class);

    private final SegmentedFileSpool spool;
    private final String name;
    private final CursorFile cursor;
    private final FrameReader frames = new FrameReader();
    private long position;
    private long committed;
    private long channelBase = -1;
    private FileChannel channel;

    FileSpoolReader(SegmentedFileSpool spool, String name, CursorFile cursor, long start) {
        this.spool = spool;
        this.name = name;
        this.cursor = cursor;
        this.position = start;
        this.committed = start;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long committedPosition() {
        return committed;
    }

    @Override
    public List<SpooledRecord> poll(int maxRecords, Duration timeout) throws IOException, InterruptedException {
        List<SpooledRecord> result = new ArrayList<>();
        if (!spool.awaitDurableBeyond(position, timeout)) {
            return result;
        }
        long limit = spool.durablePosition();
        while (result.size() < maxRecords && position < limit) {
            Map.Entry<Long, Path> segment = spool.segments().floor(position);
            if (segment == null) {
                throw new IOException("reader " + name + " is at position " + position
                        + ", below the oldest segment " + spool.segments().first().getKey());
            }
            FileChannel ch = channelFor(segment.getKey(), segment.getValue());
            Map.Entry<Long, Path> next = spool.segments().higher(segment.getKey());
            long segmentLimit = Math.min(limit, next == null ? Long.MAX_VALUE : next.getKey()) - segment.getKey();
            long offset = position - segment.getKey();
            if (offset >= segmentLimit) {
                if (next == null) {
                    break;
                }
                position = next.getKey();
                continue;
            }
            FrameReader.Frame frame = frames.read(ch, offset, segmentLimit);
            if (frame == null) {
                spool.damagedRanges.incrementAndGet();
                long skipTo = next == null ? limit : next.getKey();
                LOG.error("[SpoolReader {}] damaged record at position {} in {}; skipping {} bytes to position {}",
                        name, position, segment.getValue().getFileName(), skipTo - position, skipTo);
                position = skipTo;
                continue;
            }
            long nextPosition = position + frame.size();
            result.add(new SpooledRecord(position, nextPosition, frame.record()));
            position = nextPosition;
        }
        return result;
    }

    private FileChannel channelFor(long base, Path path) throws IOException {
        if (base != channelBase) {
            closeChannel();
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IOException("segment " + path + " vanished while reader " + name + " needed it", e);
            }
            channelBase = base;
            frames.reset();
        }
        return channel;
    }

    @Override
    public void seek(long newPosition) {
        if (newPosition < committed) {
            throw new IllegalArgumentException("cannot seek to " + newPosition + ", below the committed " + committed);
        }
        position = newPosition;
    }

    @Override
    public void commit(long nextPosition) throws IOException {
        if (nextPosition < committed) {
            throw new IllegalArgumentException("commit must not go back: " + nextPosition + " < " + committed);
        }
        cursor.write(nextPosition);
        committed = nextPosition;
        spool.onReaderCommitted();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("[SpoolReader {}] close failed: {}", name, e.toString());
            }
            channel = null;
            channelBase = -1;
        }
    }

    @Override
    public void close() {
        closeChannel();
    }
}
