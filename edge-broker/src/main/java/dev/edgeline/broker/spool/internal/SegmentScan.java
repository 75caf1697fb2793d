package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading a lane's segments when the spool opens: the marks they hold (a checkpoint frame at the start of segments of
 * earlier versions, and every data record from where the dedup index cache stops covering them), the arrival time of
 * each segment's first data record, and where the valid frames end (a torn tail, damage in between skipped and
 * logged). Opening thread only.
 */
final class SegmentScan {
    private static final Logger LOG = LoggerFactory.getLogger(LaneLog.class);

    private final String lane;
    private final StreamMarks marks;
    private final FrameReader frames = new FrameReader();

    /** Where a segment's valid frames end, and the arrival time of its first data record (-1: none). */
    record Result(long validEnd, long firstReceivedAt) {}

    SegmentScan(String lane, StreamMarks marks) {
        this.lane = lane;
        this.marks = marks;
    }

    /**
     * Reads a segment's checkpoint (when asked) and the arrival time of its first data record (-1: none), and
     * nothing more: for segments the index cache covers wholly.
     */
    long peek(FileChannel channel, long base, long size, boolean readCheckpoint) throws IOException {
        long offset = 0;
        for (int frameIndex = 0; frameIndex < 3 && offset < size; frameIndex++) {
            FrameReader.Frame frame = frames.read(channel, offset, size);
            if (frame == null) {
                return -1; // damage is found (and reported as a gap) by readers
            }
            if (frame.decoded().isMarks()) {
                if (readCheckpoint) {
                    try {
                        marks.merge(StreamMarks.decode(frame.decoded().marks()));
                    } catch (IllegalArgumentException e) {
                        LOG.error("[Spool lane={}] unreadable marks checkpoint in segment {}: {}", lane, base, e.getMessage());
                    }
                }
            } else if (frame.decoded().record().kind() == RecordKind.DATA) {
                return frame.decoded().record().receivedAtMillis();
            }
            offset += frame.size();
        }
        return -1;
    }

    /**
     * Scans one segment: reads the checkpoint at its start when {@code readCheckpoint}, raises marks for frames from
     * {@code scanOffset} on, skips damaged ranges that are followed by valid frames. Returns the end of the last valid
     * frame (the segment size when all is well) and the arrival time of its first data record (-1: none).
     */
    Result scan(FileChannel channel, long base, long size, boolean readCheckpoint, long scanOffset,
                Consumer<SpoolRecord> scanned) throws IOException {
        long offset = 0;
        long validEnd = 0;
        long firstReceivedAt = -1;
        while (offset < size) {
            FrameReader.Frame frame = frames.read(channel, offset, size);
            if (frame == null) {
                long next = frames.resync(channel, offset, size);
                if (next < 0) {
                    return new Result(validEnd, firstReceivedAt);
                }
                LOG.error("[Spool lane={}] damaged bytes {}..{} in segment {}: readers will skip them and report a gap",
                        lane, base + offset, base + next, base);
                offset = next;
                continue;
            }
            RecordCodec.Decoded decoded = frame.decoded();
            if (decoded.isMarks()) {
                if (readCheckpoint || offset >= scanOffset) {
                    try {
                        marks.merge(StreamMarks.decode(decoded.marks()));
                    } catch (IllegalArgumentException e) {
                        LOG.error("[Spool lane={}] unreadable marks checkpoint in segment {}: {}", lane, base, e.getMessage());
                    }
                }
            } else {
                SpoolRecord r = decoded.record();
                if (firstReceivedAt < 0 && r.kind() == RecordKind.DATA) {
                    firstReceivedAt = r.receivedAtMillis();
                }
                if (offset >= scanOffset && r.kind() == RecordKind.DATA) {
                    marks.raise(new StreamKey(r.device(), r.stream()), r.boot(), r.seq());
                    scanned.accept(r);
                }
            }
            offset += frame.size();
            validEnd = offset;
        }
        return new Result(validEnd, firstReceivedAt);
    }

}
