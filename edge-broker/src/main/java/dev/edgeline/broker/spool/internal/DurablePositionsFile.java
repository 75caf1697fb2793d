package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code spool.durable}: the durable end position of each lane (8 bytes each, in lane order), memory-mapped so that
 * readers in other processes see how far they may read without any call into the writer. The writer stores a lane's
 * position (a volatile store) after the fsync that made it durable; readers load it with volatile loads. Aligned
 * 8-byte accesses are single-copy atomic on the supported CPUs (x86-64, arm64). The file is never fsynced: after a
 * crash it is rewritten when the writer reopens the spool, and a reader only returns frames that are valid on disk.
 * The mapping is released on {@link #close()} (it lives in its own arena), so nothing keeps the file system busy.
 */
public final class DurablePositionsFile implements AutoCloseable {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private final Arena arena;
    private final MemorySegment map;
    private final int lanes;

    private DurablePositionsFile(Arena arena, MemorySegment map, int lanes) {
        this.arena = arena;
        this.map = map;
        this.lanes = lanes;
    }

    public static DurablePositionsFile forWriter(Path file, int lanes) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return new DurablePositionsFile(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, 8L * lanes, arena),
                    lanes);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public static DurablePositionsFile forReader(Path file, int lanes) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < 8L * lanes) {
                throw new IOException(file + " is shorter than " + lanes + " lane positions; is a writer running?");
            }
            return new DurablePositionsFile(arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, 8L * lanes, arena),
                    lanes);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public void set(int lane, long position) {
        LONG.setVolatile(map, lane * 8L, position);
    }

    public long get(int lane) {
        return (long) LONG.getVolatile(map, lane * 8L);
    }

    public int lanes() {
        return lanes;
    }

    @Override
    public void close() {
        arena.close();
    }
}
