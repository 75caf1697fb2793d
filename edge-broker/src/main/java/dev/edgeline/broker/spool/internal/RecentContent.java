package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.SpoolRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The content (CRC32C of payload and topic) of the most recently stored numbered records, by identity, so that a
 * record arriving with an identity already stored can be told apart: the same content is a retransmission
 * (acknowledged as the duplicate it is), other content is a collision (refused: acknowledging it would drop it
 * silently). Holds the last {@value #CAPACITY} identities, about 7 MB at most; an identity older than that is taken
 * for a retransmission, as before. Rebuilt on open from the records the spool scans (those after the dedup index
 * cache, and the whole last segment: the ones a publisher resends after a broker restart). Written by the spool's
 * writer thread; read by it and by the broker's threads (a pre-check before the append). Thread-safe.
 */
public final class RecentContent {
    static final int CAPACITY = 65_536;

    private record Identity(String device, String stream, long boot, long seq) {}

    private final Map<Identity, Integer> checksums = new LinkedHashMap<>(1 << 10, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, Integer> eldest) {
            return super.size() > CAPACITY;
        }
    };

    /** Remembers a stored record's content. */
    public synchronized void stored(SpoolRecord record) {
        checksums.put(identity(record), checksum(record));
    }

    /**
     * Whether {@code record} (whose identity is at or below its stream's mark) carries other content than the
     * stored record of the same identity; empty when that record is not remembered.
     */
    public synchronized Optional<Boolean> differs(SpoolRecord record) {
        Integer known = checksums.get(identity(record));
        return known == null ? Optional.empty() : Optional.of(known != checksum(record));
    }

    synchronized int size() {
        return checksums.size();
    }

    private static Identity identity(SpoolRecord record) {
        return new Identity(record.device(), record.stream(), record.boot(), record.seq());
    }

    private static int checksum(SpoolRecord record) {
        CRC32C crc = new CRC32C();
        crc.update(record.payload());
        crc.update(record.mqttTopic().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
