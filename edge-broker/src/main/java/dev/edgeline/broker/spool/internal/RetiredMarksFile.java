package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup marks of streams whose records have left the segments: deleted once every reader consumed them, or
 * dropped by a full {@code drop-oldest} lane. Dedup must still recognise a late retransmission of such a record, and
 * a publisher that does not number its records must continue its seq above it, after a restart too.
 *
 * <p>Before segments are deleted, the current marks of the streams they hold are appended here as one entry and
 * fsynced; only then are the files removed. So the bytes written per record deleted are bounded by one mark, however
 * many streams the spool knows (the former design copied every stream's mark into the head of every new segment:
 * with thousands of streams of long names that copy outgrew the segment, and each record started a new one). When the
 * file has grown to twice its size after the last compaction (at least {@value #MIN_COMPACT_BYTES} bytes), it is
 * rewritten with one copy of every mark (atomic replace), which keeps it proportional to the number of streams at a
 * constant amortised cost per mark appended.
 *
 * <p>File {@code marks.retired}: {@code ([u32 length][u32 crc32c of the bytes][StreamMarks encoding])*}. A torn last
 * entry (a crash while appending, before the deletion it precedes) is cut off when the file is opened. Writer thread
 * only.
 */
public final class RetiredMarksFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetiredMarksFile.class);
    public static final String FILE = "marks.retired";
    static final long MIN_COMPACT_BYTES = 1 << 20;

    private final Path file;
    private FileChannel channel;
    private long compactedSize;

    private RetiredMarksFile(Path file, FileChannel channel, long compactedSize) {
        this.file = file;
        this.channel = channel;
        this.compactedSize = compactedSize;
    }

    /** Opens (creating) the file in {@code directory} and raises {@code marks} with every entry in it. */
    public static RetiredMarksFile open(Path directory, StreamMarks marks) throws IOException {
        Path file = directory.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            long offset = 0;
            ByteBuffer header = ByteBuffer.allocate(8);
            while (offset + 8 <= size) {
                header.clear();
                readFully(channel, header, offset);
                int length = header.getInt(0);
                int crc = header.getInt(4);
                if (length < 4 || offset + 8 + length > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(channel, body, offset + 8);
                CRC32C check = new CRC32C();
                check.update(body.array());
                if ((int) check.getValue() != crc) {
                    break;
                }
                try {
                    marks.merge(StreamMarks.decode(body.array()));
                } catch (IllegalArgumentException e) {
                    break;
                }
                offset += 8 + length;
            }
            if (offset < size) {
                LOG.warn("[Spool] {}: cutting off {} byte(s) of a torn last entry (written before a crash, before the "
                        + "segments it precedes were deleted)", file, size - offset);
                channel.truncate(offset);
                channel.force(true);
            }
            channel.position(offset);
            return new RetiredMarksFile(file, channel, offset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Makes the current marks of {@code streams} durable here (to be called before their segments are deleted);
     * compacts the file from {@code all} when it has doubled.
     */
    public void retire(Collection<StreamKey> streams, StreamMarks all) throws IOException {
        if (streams.isEmpty()) {
            return;
        }
        StreamMarks subset = new StreamMarks();
        for (StreamKey key : streams) {
            all.get(key).ifPresent(mark -> subset.raise(key, mark.boot(), mark.seq()));
        }
        if (subset.size() == 0) {
            return;
        }
        if (channel.size() > 2 * Math.max(compactedSize, MIN_COMPACT_BYTES)) {
            compact(all);
            return; // the compacted copy holds every mark, these included
        }
        append(subset.encode());
        channel.force(false);
    }

    /** Replaces the file with one entry holding every mark in {@code all}. */
    void compact(StreamMarks all) throws IOException {
        byte[] encoded = all.encode();
        ByteBuffer entry = entry(encoded);
        AtomicFiles.write(file, entry.array());
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.position(channel.size());
        compactedSize = channel.size();
        LOG.info("[Spool] {} compacted: {} mark(s) in {} bytes", file, all.size(), compactedSize);
    }

    long size() throws IOException {
        return channel.size();
    }

    /** Appends one entry; a failed write (a full disk) is cut off again, so that later entries stay readable. */
    private void append(byte[] encoded) throws IOException {
        ByteBuffer entry = entry(encoded);
        long before = channel.position();
        try {
            while (entry.hasRemaining()) {
                channel.write(entry);
            }
        } catch (IOException e) {
            try {
                channel.truncate(before);
                channel.position(before);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static ByteBuffer entry(byte[] encoded) {
        CRC32C crc = new CRC32C();
        crc.update(encoded);
        ByteBuffer entry = ByteBuffer.allocate(8 + encoded.length);
        entry.putInt(encoded.length).putInt((int) crc.getValue()).put(encoded).flip();
        return entry;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of " + FILE);
            }
        }
        buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
