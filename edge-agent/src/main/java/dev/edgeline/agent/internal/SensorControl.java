package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What commands change about one sensor while it runs: its sampling period, whether it is sampled at all, and
 * requests to read it now. The sensor's sampling thread applies them ({@link SamplingScheduler}); any thread may call
 * {@link #apply} and {@link #readNow}, which wake it. A new period or enabling starts a new schedule at once (a read
 * now, then one every period).
 */
public final class SensorControl {
    /** A sensor's running settings. */
    public record Settings(Duration period, boolean enabled) {}

    private final SensorConfig sensor;
    private final Ticker ticker;
    private final ConcurrentLinkedQueue<CompletableFuture<List<Reading>>> readRequests = new ConcurrentLinkedQueue<>();
    private volatile Settings settings;
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
    private volatile Thread thread;

    SensorControl(SensorConfig sensor, Ticker ticker) {
        this.sensor = sensor;
        this.ticker = ticker;
        this.settings = configured();
    }

    public SensorConfig sensor() {
        return sensor;
    }

    /** The settings of the configuration file. */
    public Settings configured() {
        return new Settings(sensor.period(), true);
    }

    public Settings settings() {
        return settings;
    }

    /** Changes the running settings; the sampling thread starts its new schedule at once. */
    public synchronized void apply(Settings next) {
        settings = next;
        version.incrementAndGet();
        wake();
    }

    /**
     * Asks the sampling thread to read the sensor now, outside its schedule (also when it is disabled). The future
     * completes with the readings, numbered and stored like every other, or with the read's exception.
     */
    public CompletableFuture<List<Reading>> readNow() {
        CompletableFuture<List<Reading>> result = new CompletableFuture<>();
        readRequests.add(result);
        wake();
        return result;
    }

    long version() {
        return version.get();
    }

    CompletableFuture<List<Reading>> nextReadRequest() {
        return readRequests.poll();
    }

    boolean hasReadRequest() {
        return !readRequests.isEmpty();
    }

    void attach(Thread samplingThread) {
        thread = samplingThread;
    }

    /** Fails what is still waiting: the sampling thread ended. */
    void detach() {
        for (CompletableFuture<List<Reading>> request; (request = readRequests.poll()) != null; ) {
            request.completeExceptionally(new IllegalStateException("sampling of '" + sensor.stream() + "' stopped"));
        }
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            ticker.wake(t);
        }
    }
}
