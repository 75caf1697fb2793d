package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.config.ClockSync;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Numbers and stamps readings: {@code seq} from each stream's {@link SequenceStore}, wall-clock time, whether the
 * clock is synchronised, and monotonic time since boot. Thread-safe: sampling threads, debounce timers and the
 * publisher (health records) share it; numbering within a stream is serialised on its store.
 */
public final class ReadingFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReadingFactory.class);
    private final String deviceId;
    private final long boot;
    private final InstantSource clock;
    private final ClockSync clockSync;
    private final MonotonicClock monotonic;
    private final Map<String, SequenceStore> sequences = new HashMap<>();

    /** Opens the sequence store of every stream it will number (so a broken store fails at start). */
    public ReadingFactory(String deviceId, long boot, Path stateDirectory, Collection<String> streams,
                          InstantSource clock, ClockSync clockSync, MonotonicClock monotonic) throws IOException {
        for (String stream : streams) {
            sequences.put(stream, new SequenceStore(stateDirectory, stream));
        }
        this.deviceId = deviceId;
        this.boot = boot;
        this.clock = clock;
        this.clockSync = clockSync;
        this.monotonic = monotonic;
    }

    public String deviceId() {
        return deviceId;
    }

    public long boot() {
        return boot;
    }

    public Reading measurement(Measurement m) throws IOException {
        SequenceStore store = store(m.stream());
        synchronized (store) {
            return Reading.value(deviceId, m.stream(), boot, store.next(), m.value(), m.unit(), m.event(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), monotonic.millisSinceBoot(),
                    clockSync.isSynchronized());
        }
    }

    public Reading health(String stream, String fieldsJson) throws IOException {
        SequenceStore store = store(stream);
        synchronized (store) {
            return Reading.health(deviceId, stream, boot, store.next(), fieldsJson,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), monotonic.millisSinceBoot(),
                    clockSync.isSynchronized());
        }
    }

    /**
     * Per stream, the seq range {first, last} the machine's unclean stop may have left without a reading (see
     * {@link SequenceStore#skipped()}); empty after a clean stop or an agent crash.
     */
    public Map<String, long[]> skipped() {
        Map<String, long[]> skipped = new java.util.TreeMap<>();
        sequences.forEach((stream, store) -> store.skipped().ifPresent(range -> skipped.put(stream, range)));
        return skipped;
    }

    /** The declaration of {@link #skipped()} is durable: the sequence stores stop carrying it. */
    public void skippedDeclared() throws IOException {
        for (SequenceStore store : sequences.values()) {
            synchronized (store) {
                store.skippedDeclared();
            }
        }
    }

    /** Makes each stream's next seq durable (a clean stop: the next start continues exactly). */
    public void close() {
        for (Map.Entry<String, SequenceStore> entry : sequences.entrySet()) {
            synchronized (entry.getValue()) {
                try {
                    entry.getValue().close();
                } catch (IOException e) {
                    LOG.warn("stream {}: could not store its next seq ({}); the next start continues at the end of "
                            + "its reserved block", entry.getKey(), e.toString());
                }
            }
        }
    }

    private SequenceStore store(String stream) {
        SequenceStore store = sequences.get(stream);
        if (store == null) {
            throw new IllegalArgumentException("stream '" + stream + "' was not declared to the reading factory");
        }
        return store;
    }
}
