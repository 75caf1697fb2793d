package dev.edgeline.broker.spool.internal;

import dev.edgeline.config.RecordEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dedup index: the highest identity (boot, seq) stored per stream (device, stream). A record at or below its
 * stream's mark is a retransmission. Marks only ever rise, so merging marks from several sources (checkpoint
 * frames, the index cache, scanned records) in any order gives the same result.
 *
 * <p>Keyed by stream, not by (stream, boot): one entry per stream however often the publisher restarts, and a
 * retransmission from an older boot is recognised too. Written only by the spool's writer thread; {@link #get} may be
 * called from any thread (it may see a mark raised by a batch that is not durable yet).
 */
public final class StreamMarks {
    /** A stream: device and stream name. */
    public record StreamKey(String device, String stream) {}

    /** A (boot, seq) pair, ordered lexicographically. */
    public record Mark(long boot, long seq) implements Comparable<Mark> {
        @Override
        public int compareTo(Mark o) {
            int byBoot = Long.compare(boot, o.boot);
            return byBoot != 0 ? byBoot : Long.compare(seq, o.seq);
        }
    }

    private final Map<StreamKey, Mark> marks = new ConcurrentHashMap<>();
    private final Map<String, DeviceStreams> devices = new ConcurrentHashMap<>();

    /** Per device: how many streams have a mark, and the highest boot among them. Written by the writer only. */
    private static final class DeviceStreams {
        volatile int streams;
        volatile long highestBoot = -1;
    }

    /** The stream's mark, if it has one. Any thread. */
    public Optional<Mark> get(StreamKey key) {
        return Optional.ofNullable(marks.get(key));
    }

    /** Whether (boot, seq) is at or below the stream's mark. */
    public boolean isDuplicate(StreamKey key, long boot, long seq) {
        Mark mark = marks.get(key);
        return mark != null && new Mark(boot, seq).compareTo(mark) <= 0;
    }

    /** Raises the stream's mark to (boot, seq) if that is higher; returns the previous mark (null if none). */
    public Mark raise(StreamKey key, long boot, long seq) {
        Mark previous = marks.get(key);
        Mark next = new Mark(boot, seq);
        if (previous == null || next.compareTo(previous) > 0) {
            marks.put(key, next);
            DeviceStreams device = devices.computeIfAbsent(key.device(), d -> new DeviceStreams());
            if (previous == null) {
                device.streams++;
            }
            if (boot > device.highestBoot && !key.stream().equals(RecordEnvelope.BROKER_HEALTH_STREAM)) {
                device.highestBoot = boot; // the broker's own stream carries the broker's boot, not the publisher's
            }
        }
        return previous;
    }

    /** Puts back a mark saved from {@link #raise} (null removes the stream): undoes a failed write. */
    public void restore(StreamKey key, Mark previous) {
        if (previous == null) {
            if (marks.remove(key) != null) {
                DeviceStreams device = devices.get(key.device());
                if (device != null) {
                    device.streams--; // its highest boot stays: a bound that is a little loose, never too tight
                }
            }
        } else {
            marks.put(key, previous);
        }
    }

    /** Raises every mark to at least the one in {@code other}. */
    public void merge(StreamMarks other) {
        other.marks.forEach((key, mark) -> raise(key, mark.boot(), mark.seq()));
    }

    /**
     * The identity to assign to the next record of a stream whose publisher does not number its records, given the
     * broker's {@code boot}: always above the stream's mark, so that it never collides with an earlier record or
     * passes for a duplicate. The seq continues from the mark (also across boots); a mark whose boot is above
     * {@code boot} keeps its boot; a seq at {@code Long.MAX_VALUE} moves on to the next boot at seq 0. Empty only
     * when boot and seq are both exhausted.
     */
    public Optional<Mark> nextIdentity(StreamKey key, long boot) {
        Mark mark = marks.get(key);
        if (mark == null) {
            return Optional.of(new Mark(boot, 0));
        }
        if (boot > mark.boot()) {
            return Optional.of(new Mark(boot, mark.seq() == Long.MAX_VALUE ? 0 : mark.seq() + 1));
        }
        if (mark.seq() < Long.MAX_VALUE) {
            return Optional.of(new Mark(mark.boot(), mark.seq() + 1));
        }
        return mark.boot() < Long.MAX_VALUE ? Optional.of(new Mark(mark.boot() + 1, 0)) : Optional.empty();
    }

    public int size() {
        return marks.size();
    }

    /** How many streams of {@code device} have a mark. Any thread. */
    public int streamsOf(String device) {
        DeviceStreams streams = devices.get(device);
        return streams == null ? 0 : streams.streams;
    }

    /**
     * The highest boot any stream of {@code device} has reached (the broker's own health stream aside: its boot is
     * the broker's), if it has such a stream. Any thread.
     */
    public Optional<Long> highestBootOf(String device) {
        DeviceStreams streams = devices.get(device);
        return streams == null || streams.highestBoot < 0 ? Optional.empty() : Optional.of(streams.highestBoot);
    }

    /** {@code [u32 count] ([u16 len][device][u16 len][stream][i64 boot][i64 seq])*} */
    public byte[] encode() {
        int size = 4;
        for (StreamKey key : marks.keySet()) {
            size += 4 + 16 + key.device().getBytes(StandardCharsets.UTF_8).length
                    + key.stream().getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(marks.size());
        marks.forEach((key, mark) -> {
            byte[] device = key.device().getBytes(StandardCharsets.UTF_8);
            byte[] stream = key.stream().getBytes(StandardCharsets.UTF_8);
            buffer.putShort((short) device.length).put(device);
            buffer.putShort((short) stream.length).put(stream);
            buffer.putLong(mark.boot()).putLong(mark.seq());
        });
        return buffer.array();
    }

    /** Decodes {@link #encode()}'s bytes; throws {@link IllegalArgumentException} when they do not add up. */
    public static StreamMarks decode(byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            StreamMarks result = new StreamMarks();
            int count = buffer.getInt();
            for (int i = 0; i < count; i++) {
                String device = readString(buffer);
                String stream = readString(buffer);
                result.raise(new StreamKey(device, stream), buffer.getLong(), buffer.getLong());
            }
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " trailing bytes");
            }
            return result;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("damaged marks: " + e, e);
        }
    }

    private static String readString(ByteBuffer buffer) {
        byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
