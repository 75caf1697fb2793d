package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The highest identity (boot, seq) stored per stream (device, stream): the dedup index. A record at or below its
 * stream's mark is a retransmission. Snapshots are written atomically together with the spool position they are
 * complete up to, so that the marks survive deletion of the segments that produced them.
 *
 * <p>Confined to the spool's writer thread (and the opening thread before it starts).
 */
public final class HighWaterMarks {
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

    /** A snapshot read back from disk: the marks and the position they cover. */
    public record Snapshot(long position, HighWaterMarks marks) {}

    private final Map<StreamKey, Mark> marks = new HashMap<>();

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
        }
        return previous;
    }

    /** Puts back a mark saved from {@link #raise} (null removes the stream): undoes a failed write. */
    public void restore(StreamKey key, Mark previous) {
        if (previous == null) {
            marks.remove(key);
        } else {
            marks.put(key, previous);
        }
    }

    /** Next sequence number for a stream whose publisher does not number its records. */
    public long nextSeq(StreamKey key) {
        Mark mark = marks.get(key);
        return mark == null ? 0 : mark.seq() + 1;
    }

    public int size() {
        return marks.size();
    }

    /** Writes the marks and the position they cover, atomically. */
    public void writeSnapshot(Path file, long position) throws IOException {
        int size = 12;
        Map<StreamKey, byte[][]> encoded = new HashMap<>();
        for (StreamKey key : marks.keySet()) {
            byte[][] strings = {key.device().getBytes(StandardCharsets.UTF_8), key.stream().getBytes(StandardCharsets.UTF_8)};
            encoded.put(key, strings);
            size += 4 + strings[0].length + strings[1].length + 16;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size + 4);
        buffer.putLong(position).putInt(marks.size());
        marks.forEach((key, mark) -> {
            byte[][] strings = encoded.get(key);
            buffer.putShort((short) strings[0].length).put(strings[0]);
            buffer.putShort((short) strings[1].length).put(strings[1]);
            buffer.putLong(mark.boot()).putLong(mark.seq());
        });
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        AtomicFiles.write(file, buffer.array());
    }

    /** Reads a snapshot; empty when there is none; an exception when it is damaged. */
    public static Optional<Snapshot> readSnapshot(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < 16) {
            throw new IOException(file + " is damaged: too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IOException(file + " is damaged: checksum mismatch");
        }
        try {
            long position = buffer.getLong();
            int count = buffer.getInt();
            HighWaterMarks result = new HighWaterMarks();
            for (int i = 0; i < count; i++) {
                String device = readString(buffer);
                String stream = readString(buffer);
                result.marks.put(new StreamKey(device, stream), new Mark(buffer.getLong(), buffer.getLong()));
            }
            return Optional.of(new Snapshot(position, result));
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e, e);
        }
    }

    private static String readString(ByteBuffer buffer) {
        byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
