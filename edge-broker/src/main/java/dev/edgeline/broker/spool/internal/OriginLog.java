package dev.edgeline.broker.spool.internal;

import dev.edgeline.broker.spool.Spool.Origin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the publishes whose identity the spool assigns came from (client id, MQTT packet id, hashes of topic and
 * payload), so that a third-party device's retransmission (DUP) after a broker restart is recognised: such a publish
 * carries no (boot, seq) for the marks to deduplicate by.
 *
 * <p>Per (client, packet id) the latest event counts: {@code RECEIVED} is written for every such publish of a batch
 * before its records are written, {@code STORED} after their fsync and before any acknowledgement. A resend whose
 * latest event is {@code STORED} with the same topic and payload was stored: it is acknowledged, not stored again.
 * One whose latest event is {@code RECEIVED} was lost with the process (or refused) and is stored. (Without the
 * {@code RECEIVED} event, a reused packet id whose earlier publish had the same content would make a lost publish
 * look stored.) The file is written, not fsynced: it survives the process being killed, which is what a broker
 * restart is; after a power cut its last entries may be missing, and a resend of those is stored again (at least
 * once, logged by nobody: documented).
 *
 * <p>Kept in memory too: the last {@value #PER_CLIENT} packet ids (HiveMQ lets a client have 256 publishes in
 * flight) of the last {@value #CLIENTS} clients, about 100 bytes each at most. The file
 * is rewritten from memory (atomic replace) when it has grown past four times that or {@value #MIN_COMPACT_BYTES}
 * bytes. File {@code origins.log}: {@code ([u32 length][u32 crc32c][u8 event][u16+utf8 client][u16 packet id]
 * [i32 topic hash][i32 payload hash][i32 payload length])*}. Writer thread only, except {@link #stored()}.
 */
public final class OriginLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OriginLog.class);
    public static final String FILE = "origins.log";
    static final int PER_CLIENT = 256;
    static final int CLIENTS = 512;
    static final long MIN_COMPACT_BYTES = 4 << 20;
    private static final byte RECEIVED = 1;
    private static final byte STORED = 2;

    private record Event(byte kind, Origin origin) {}

    private final Path file;
    private final Map<String, Map<Integer, Event>> byClient = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<Integer, Event>> eldest) {
            return size() > CLIENTS;
        }
    };
    private FileChannel channel;
    private long liveEntries;
    private ByteBuffer scratch = ByteBuffer.allocate(16 << 10);

    private OriginLog(Path file) {
        this.file = file;
    }

    /** Opens (creating) {@code origins.log} in {@code directory} and reads what it holds. */
    public static OriginLog open(Path directory) throws IOException {
        OriginLog log = new OriginLog(directory.resolve(FILE));
        log.channel = FileChannel.open(log.file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long size = log.channel.size();
        ByteBuffer all = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE - 8));
        while (all.hasRemaining() && log.channel.read(all, all.position()) >= 0) {
            // read it all
        }
        all.flip();
        long valid = 0;
        while (all.remaining() >= 8) {
            int length = all.getInt(all.position());
            int crc = all.getInt(all.position() + 4);
            if (length < 1 || all.remaining() < 8 + length) {
                break;
            }
            byte[] body = new byte[length];
            all.get(all.position() + 8, body);
            CRC32C check = new CRC32C();
            check.update(body);
            if ((int) check.getValue() != crc) {
                break;
            }
            try {
                log.remember(decode(body));
            } catch (RuntimeException e) {
                break;
            }
            all.position(all.position() + 8 + length);
            valid = all.position();
        }
        if (valid < size) {
            LOG.warn("[Spool] {}: cutting off {} byte(s) of a torn last entry", log.file, size - valid);
            log.channel.truncate(valid);
        }
        log.channel.position(valid);
        return log;
    }

    /** Notes that these publishes arrived and are about to be written (before their records are). */
    public void received(Collection<Origin> origins) throws IOException {
        write(RECEIVED, origins);
    }

    /** Notes that these publishes are durable (after the fsync, before any acknowledgement). */
    public void stored(Collection<Origin> origins) throws IOException {
        write(STORED, origins);
        if (channel.size() > Math.max(MIN_COMPACT_BYTES, 4 * 64 * liveEntries)) {
            compact();
        }
    }

    /** The publishes whose latest event is STORED: what a resend must not store again. */
    public synchronized List<Origin> stored() {
        List<Origin> origins = new ArrayList<>();
        byClient.values().forEach(events -> events.values().stream().filter(e -> e.kind() == STORED)
                .forEach(e -> origins.add(e.origin())));
        return origins;
    }

    private void write(byte kind, Collection<Origin> origins) throws IOException {
        if (origins.isEmpty()) {
            return;
        }
        scratch.clear();
        for (Origin origin : origins) {
            Event event = new Event(kind, origin);
            remember(event);
            scratch = append(scratch, event);
        }
        scratch.flip();
        long before = channel.position();
        try {
            while (scratch.hasRemaining()) {
                channel.write(scratch);
            }
        } catch (IOException e) {
            channel.truncate(before);
            channel.position(before);
            throw e;
        }
    }

    /** Appends one entry (length, CRC, body) to {@code buffer}, growing it when needed; returns the buffer. */
    private static ByteBuffer append(ByteBuffer buffer, Event event) {
        byte[] client = event.origin().clientId().getBytes(StandardCharsets.UTF_8);
        int bodyLength = 1 + 2 + client.length + 2 + 4 + 4 + 4;
        if (buffer.remaining() < 8 + bodyLength) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * buffer.capacity(), buffer.position() + 8 + bodyLength));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        int start = buffer.position();
        buffer.position(start + 8);
        buffer.put(event.kind()).putShort((short) client.length).put(client)
                .putShort((short) event.origin().packetId()).putInt(event.origin().topicHash())
                .putInt(event.origin().payloadHash()).putInt(event.origin().payloadLength());
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), start + 8, bodyLength);
        buffer.putInt(start, bodyLength).putInt(start + 4, (int) crc.getValue());
        return buffer;
    }

    private synchronized void remember(Event event) {
        Map<Integer, Event> events = byClient.computeIfAbsent(event.origin().clientId(),
                c -> new LinkedHashMap<>(64, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, Event> eldest) {
                        return size() > PER_CLIENT;
                    }
                });
        if (events.remove(event.origin().packetId()) == null) {
            liveEntries++;
        }
        events.put(event.origin().packetId(), event);
    }

    /** Rewrites the file with the latest event of every remembered (client, packet id). */
    private void compact() throws IOException {
        List<Event> live = new ArrayList<>();
        synchronized (this) {
            byClient.values().forEach(events -> live.addAll(events.values()));
        }
        ByteBuffer bytes = ByteBuffer.allocate(64 * Math.max(1, live.size()));
        for (Event event : live) {
            bytes = append(bytes, event);
        }
        AtomicFiles.write(file, java.util.Arrays.copyOf(bytes.array(), bytes.position()));
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.position(channel.size());
        liveEntries = live.size();
    }

    private static Event decode(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte kind = in.get();
        if (kind != RECEIVED && kind != STORED) {
            throw new IllegalArgumentException("unknown event " + kind);
        }
        String clientId = readString(in);
        int packetId = Short.toUnsignedInt(in.getShort());
        int topic = in.getInt();
        int hash = in.getInt();
        int length = in.getInt();
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes");
        }
        return new Event(kind, new Origin(clientId, packetId, topic, hash, length));
    }

    private static String readString(ByteBuffer in) {
        byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
