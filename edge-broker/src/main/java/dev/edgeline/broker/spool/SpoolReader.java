package dev.edgeline.broker.spool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Reads durable records in spool order and persists how far its owner has consumed.
 *
 * <p>The committed position survives restarts (written atomically: temp file, fsync, rename). Segments wholly below
 * every reader's committed position are deleted by the spool. Not thread-safe: one owner thread per reader.
 */
public interface SpoolReader extends AutoCloseable {

    /** Name of the reader (one cursor file per name). */
    String name();

    /** Position of the next record {@link #poll} returns. */
    long position();

    /** Committed position: where a new reader of this name would start. */
    long committedPosition();

    /**
     * Up to {@code maxRecords} durable records from {@link #position()}, waiting at most {@code timeout} for the
     * first one. Advances {@link #position()} past the returned records (not the committed position).
     */
    List<SpooledRecord> poll(int maxRecords, Duration timeout) throws IOException, InterruptedException;

    /** Moves {@link #position()} back to {@code position} (a record boundary at or after the committed position). */
    void seek(long position);

    /** Persists {@code nextPosition} as consumed: records below it will not be read again by this reader name. */
    void commit(long nextPosition) throws IOException;

    @Override
    void close();
}
