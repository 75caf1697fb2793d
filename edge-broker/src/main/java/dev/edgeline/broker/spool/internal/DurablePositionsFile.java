package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code spool.durable}: the durable end position of each lane (8 bytes each, in lane order), memory-mapped so that
 * readers in other processes see how far they may read without any call into the writer. The writer stores a lane's
 * position after the fsync that made it durable. Aligned 8-byte stores and loads are single-copy atomic on the
 * supported CPUs (x86-64, arm64). The file is never fsynced: after a crash it is rewritten when the writer reopens
 * the spool, and a reader only reads frames that are valid on disk anyway.
 */
public final class DurablePositionsFile implements AutoCloseable {
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final int lanes;

    private DurablePositionsFile(FileChannel channel, MappedByteBuffer map, int lanes) {
        this.channel = channel;
        this.map = map;
        this.lanes = lanes;
    }

    public static DurablePositionsFile forWriter(Path file, int lanes) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new DurablePositionsFile(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, 8L * lanes), lanes);
    }

    public static DurablePositionsFile forReader(Path file, int lanes) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        if (channel.size() < 8L * lanes) {
            channel.close();
            throw new IOException(file + " is shorter than " + lanes + " lane positions; is a writer running?");
        }
        return new DurablePositionsFile(channel, channel.map(FileChannel.MapMode.READ_ONLY, 0, 8L * lanes), lanes);
    }

    public void set(int lane, long position) {
        map.putLong(lane * 8, position);
    }

    public long get(int lane) {
        return map.getLong(lane * 8);
    }

    public int lanes() {
        return lanes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
