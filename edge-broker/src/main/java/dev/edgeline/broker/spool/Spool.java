package dev.edgeline.broker.spool;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The store-and-forward log between the MQTT broker and the cloud bridge, in priority lanes.
 *
 * <p>Guarantees: a record is durable (written and fsynced) before its append future completes; records of a lane
 * are stored and read back in append order; a record whose identity is at or below its stream's high-water mark is
 * not stored twice ({@link AppendOutcome#DUPLICATE}); readers see only durable records; nothing is lost without a
 * gap marker saying so.
 *
 * <p>Thread-safe: {@link #append} may be called from any thread and never blocks; futures complete on the spool's
 * writer thread, so their callbacks must not block.
 */
public interface Spool extends AutoCloseable {

    /**
     * Queues {@code record} for {@code lane}; the future completes once it is durable, or exceptionally with a
     * {@link SpoolFullException} (no room, the lane's policy refuses) or another {@link SpoolException}.
     */
    CompletableFuture<AppendOutcome> append(String lane, SpoolRecord record);

    /**
     * As {@link #append(String, SpoolRecord)}; {@code origin} (null when there is none to keep) says where a QoS 1/2
     * publish whose identity the spool assigns came from, so that its retransmission is recognised after a restart
     * too (see {@link #storedOrigins()}).
     */
    default CompletableFuture<AppendOutcome> append(String lane, SpoolRecord record, Origin origin) {
        return append(lane, record);
    }

    /**
     * The origins of publishes stored with an assigned identity, as the spool found them when it opened (the most
     * recent per client and packet id): a retransmission of one of them must not be stored again.
     */
    default List<Origin> storedOrigins() {
        return List.of();
    }

    /**
     * Where a publish came from: its client and MQTT packet id, and what it carried: hashes of its topic and payload,
     * and the payload's length (hashes, not the topic itself, so that remembering many costs little memory).
     */
    record Origin(String clientId, int packetId, int topicHash, int payloadHash, int payloadLength) {
        public static Origin of(String clientId, int packetId, String topic, byte[] payload) {
            return new Origin(clientId, packetId, topic.hashCode(), java.util.Arrays.hashCode(payload), payload.length);
        }
    }

    /** Opens the named reader at its committed positions (the start of each lane if it never committed). */
    SpoolReader openReader(String name) throws IOException;

    /**
     * The highest (boot, seq) spooled for a stream, or empty if the stream has none. Any thread; it may already
     * include records of a batch whose fsync is still running.
     */
    Optional<StreamMark> markOf(String device, String stream);

    /** The highest boot any stream of {@code device} has reached, or empty when the device has no stream. Any thread. */
    Optional<Long> highestBootOf(String device);

    /**
     * Why {@code record} would be refused by the spool's own rules (a stream limit, an identity stored with other
     * content), as far as can be told now; empty when it looks acceptable. Any thread. Lets the broker answer with a
     * negative acknowledgement before the append, as the writer's own check (which stays authoritative) comes too
     * late for that.
     */
    Optional<SpoolException> precheck(SpoolRecord record);

    /** A stream's high-water mark: its highest boot and seq. */
    record StreamMark(long boot, long seq) {}

    /** A stream: the device and the stream name that together key it. */
    record StreamId(String device, String stream) {}

    /** A stream's mark once durable, with the lane its records go to. */
    record DurableMark(String lane, long boot, long seq) {}

    /** Lane names, highest priority first. */
    List<String> lanes();

    /** The spool's boot number: incremented at every open. */
    long boot();

    /** Counters for metrics and status. */
    SpoolCounters counters();

    /** Stops accepting appends, writes what is queued, refuses what is blocked, and closes the files. */
    @Override
    void close();
}
