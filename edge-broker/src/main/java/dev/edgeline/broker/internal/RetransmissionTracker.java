package dev.edgeline.broker.internal;

import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.Spool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Recognises QoS 1/2 retransmissions (DUP flag set) of publishes whose identity the broker assigned (third-party
 * devices, MQTT 3.1.1), which carry no (boot, seq) of their own for the spool to deduplicate by.
 *
 * <p>For each of the last {@value #CLIENTS} active clients it remembers the last {@value #PER_CLIENT} publishes by
 * packet id: hashes of topic and payload, the payload's length, and the append. A publish with DUP set whose packet
 * id, topic and payload match one of them is the same publish again: it is not appended a second time, and its
 * acknowledgement waits for the first append. A publish without DUP replaces whatever its packet id held. Entries
 * are kept when a client reconnects with a clean start: devices that resend with DUP after a clean reconnect exist, and a publish with DUP set claims to be a resend.
 *
 * <p>After a broker restart it starts from what the spool stored ({@link #restore}, from the spool's origin log),
 * so a resend of a publish stored before the restart is not stored again. Thread-safe; one client's publishes arrive
 * in order.
 */
public final class RetransmissionTracker {
    /** Entries per client: well above HiveMQ's receive maximum of 256 in-flight publishes. */
    static final int PER_CLIENT = 1024;
    /** Clients remembered (the least recently active are forgotten): bounds the memory a flood of client ids takes. */
    static final int CLIENTS = 1024;

    /** What a publish carried (hashes, not the topic: about 60 bytes an entry) and its append. */
    private record Sent(Spool.Origin origin, CompletableFuture<AppendOutcome> append) {}

    private final Map<String, Map<Integer, Sent>> byClient = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<Integer, Sent>> eldest) {
                    return size() > CLIENTS;
                }
            });

    /** The append of the publish that this DUP publish repeats, if it is one. */
    public Optional<CompletableFuture<AppendOutcome>> earlierAppend(Spool.Origin resent) {
        Map<Integer, Sent> sent = byClient.get(resent.clientId());
        if (sent == null) {
            return Optional.empty();
        }
        Sent earlier = sent.get(resent.packetId());
        if (earlier != null && earlier.origin().equals(resent)) {
            return Optional.of(earlier.append());
        }
        return Optional.empty();
    }

    /** Remembers a publish that was appended. */
    public void remember(Spool.Origin origin, CompletableFuture<AppendOutcome> append) {
        Map<Integer, Sent> sent = sentOf(origin.clientId());
        synchronized (sent) {
            sent.remove(origin.packetId()); // re-insert so that it counts as the newest
            sent.put(origin.packetId(), new Sent(origin, append));
        }
    }

    /**
     * Remembers publishes the spool stored before this broker started ({@link Spool#storedOrigins()}): their
     * retransmissions are acknowledged without being stored again.
     */
    public void restore(List<Spool.Origin> stored) {
        CompletableFuture<AppendOutcome> done = CompletableFuture.completedFuture(AppendOutcome.DUPLICATE);
        for (Spool.Origin origin : stored) {
            sentOf(origin.clientId()).put(origin.packetId(), new Sent(origin, done));
        }
    }

    private Map<Integer, Sent> sentOf(String clientId) {
        return byClient.computeIfAbsent(clientId, id -> java.util.Collections.synchronizedMap(
                new LinkedHashMap<>(64, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, Sent> eldest) {
                        return size() > PER_CLIENT;
                    }
                }));
    }

    int clients() {
        return byClient.size();
    }
}
