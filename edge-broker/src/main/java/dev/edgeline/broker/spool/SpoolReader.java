package dev.edgeline.broker.spool;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads durable records, higher lanes first and each lane in order, and persists how far its owner consumed.
 *
 * <p>The committed positions survive restarts (written atomically: temp file, fsync, rename). A damaged range on
 * disk is returned as a gap marker record ({@link RecordKind#GAP}) in its place. Segments wholly below every reader's
 * committed position are deleted by the writer. Not thread-safe: one owner thread per reader.
 */
public interface SpoolReader extends AutoCloseable {

    /** Name of the reader (one cursor file per name). */
    String name();

    /** The identity of the spool (random, made when it was created): positions only mean something for it. */
    String spoolId();

    /**
     * Up to {@code maxRecords} durable records, waiting at most {@code timeout} for the first one. Higher lanes come
     * first: a lower lane's records are returned only when the higher lanes have nothing more. Advances the read
     * positions past the returned records (not the committed ones).
     */
    default List<SpooledRecord> poll(int maxRecords, Duration timeout) throws IOException, InterruptedException {
        return poll(maxRecords, maxRecords, timeout);
    }

    /**
     * As {@link #poll(int, Duration)}, but once the highest lane with records has been read, the lanes below it
     * together give at most {@code maxBelowFirst} records. A reader that forwards live data from a high lane ahead
     * of a backlog in a low one uses it to keep each batch (and so the wait of the next live record) short, while a
     * backlog alone still comes in full batches.
     */
    List<SpooledRecord> poll(int maxRecords, int maxBelowFirst, Duration timeout)
            throws IOException, InterruptedException;

    /** Persists the positions after {@code consumed}: those records will not be read again by this reader name. */
    void commit(Collection<SpooledRecord> consumed) throws IOException;

    /**
     * Moves the committed positions past {@code consumed} in memory only; a later {@link #commit} or
     * {@link #commitPositions} persists them. For owners whose real checkpoint is kept elsewhere (the exactly-once
     * bridge keeps it in Kafka), so that the local cursor costs no fsync per batch.
     */
    void advance(Collection<SpooledRecord> consumed);

    /** Persists exactly these committed positions (lane name to position), e.g. restored from a Kafka checkpoint. */
    void commitPositions(Map<String, Long> positions) throws IOException;

    /** The committed position of every lane. */
    Map<String, Long> committedPositions();

    /** Moves the read positions back to the committed ones (after a failed delivery). */
    void rewind();

    /** Records and bytes durable in each lane beyond this reader's read position. */
    Map<String, Long> backlogBytes();

    @Override
    void close();
}
