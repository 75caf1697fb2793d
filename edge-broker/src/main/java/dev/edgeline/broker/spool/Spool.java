package dev.edgeline.broker.spool;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The store-and-forward log between the MQTT broker and the cloud bridge.
 *
 * <p>Guarantees: a record is durable (written and fsynced) before its append future completes; records are
 * stored and read back in append order; a record whose identity is at or below its stream's high-water mark is
 * not stored twice ({@link AppendOutcome#DUPLICATE}); readers see only durable records.
 *
 * <p>Thread-safe: {@link #append} may be called from any thread and never blocks (it fails fast when the append
 * queue is full); futures complete on the spool's writer thread, so their callbacks must not block.
 */
public interface Spool extends AutoCloseable {

    /** Queues {@code record}; the future completes once it is durable, or exceptionally with a {@link SpoolException}. */
    CompletableFuture<AppendOutcome> append(SpoolRecord record);

    /** Opens the named reader at its committed position (the start of the spool if it never committed). */
    SpoolReader openReader(String name) throws IOException;

    /** Position one past the last durable record. */
    long durablePosition();

    /** Counters for metrics and status. */
    SpoolCounters counters();

    /** Stops accepting appends, writes what is queued, and closes the files. */
    @Override
    void close();
}
