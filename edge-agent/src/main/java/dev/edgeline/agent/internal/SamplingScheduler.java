package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.agent.driver.SensorDriver;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.time.Backoff;
import dev.edgeline.time.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every sensor at its fixed rate, each on its own thread ({@code agent-sample-<sensor>}), so that a slow
 * sensor (a DS18B20 conversion takes ~750 ms) or a failing one never delays another. Sample times are computed from
 * one start time ({@code start + n × period}), so they do not drift; a tick missed because the previous read overran
 * is skipped and counted, not made up.
 *
 * <p>A sensor whose read fails is retried with exponential backoff (one period, doubling, at most
 * {@code retryBackoffMax}); ticks inside the backoff are skipped without touching the bus. Each failure and the
 * recovery produce a health record ({@link SensorHealth}); the other sensors keep their schedule.
 *
 * <p>Each sensor's {@link SensorControl} lets commands change its period, disable and enable it, and read it now; the
 * sensor's own thread applies them (a driver is only ever called from it), waking from its wait to do so.
 */
public final class SamplingScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingScheduler.class);

    /** A sensor with its driver. */
    public record Channel(SensorConfig sensor, SensorDriver driver) {}

    private final List<Channel> channels;
    private final ReadingFactory readings;
    private final SensorHealth health;
    private final Consumer<Reading> sink;
    private final Duration retryBackoffMax;
    private final long sampleLimit;
    private final LongConsumer lateness;
    private final Ticker ticker;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, SensorControl> controls = new LinkedHashMap<>();
    private final CountDownLatch finished;
    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param sampleLimit reads per sensor (successful or not) after which it stops ({@code Long.MAX_VALUE}: never);
     *                    for tests and benchmarks
     * @param lateness    told, for every tick sampled, how many nanoseconds after its due time the read began
     * @param ticker      the clock the schedule follows ({@link Ticker#system()}; a virtual one in tests)
     */
    public SamplingScheduler(List<Channel> channels, ReadingFactory readings, SensorHealth health,
                             Consumer<Reading> sink, Duration retryBackoffMax, long sampleLimit, LongConsumer lateness,
                             Ticker ticker) {
        this.channels = List.copyOf(channels);
        this.readings = readings;
        this.health = health;
        this.sink = sink;
        this.retryBackoffMax = retryBackoffMax;
        this.sampleLimit = sampleLimit;
        this.lateness = lateness;
        this.ticker = ticker;
        this.finished = new CountDownLatch(this.channels.size());
        for (Channel channel : this.channels) {
            controls.put(channel.sensor().stream(), new SensorControl(channel.sensor(), ticker));
        }
    }

    /** Each sensor's control, by sensor name, in the configuration's order. */
    public Map<String, SensorControl> controls() {
        return Map.copyOf(controls);
    }

    /** The control of sensor {@code name}, or null. */
    public SensorControl control(String name) {
        return controls.get(name);
    }

    public void start() {
        long start = ticker.nanoTime() + 1_000_000; // one common origin, 1 ms ahead so every thread is parked
        for (Channel channel : channels) {
            channel.driver().startEvents(event -> emit(channel, List.of(event)));
            SensorControl control = controls.get(channel.sensor().stream());
            Thread thread = Thread.ofPlatform().name("agent-sample-" + channel.sensor().stream())
                    .unstarted(() -> {
                        try {
                            sampleLoop(channel, control, start);
                        } finally {
                            control.detach();
                            finished.countDown();
                        }
                    });
            control.attach(thread);
            threads.add(thread);
            thread.start();
        }
    }

    private void sampleLoop(Channel channel, SensorControl control, long start) {
        long version = control.version();
        SensorControl.Settings settings = control.settings();
        long origin = start;
        long period = settings.period().toNanos();
        Backoff backoff = Backoff.exact(settings.period(), retryBackoffMax);
        long retryAt = 0;
        long attempts = 0;
        for (long tick = 0; attempts < sampleLimit && running; tick++) {
            long due = origin + tick * period;
            parkUntil(due, control, version);
            if (!running) {
                return;
            }
            serveReadRequests(channel, control);
            if (control.version() != version) { // a command changed the settings: a new schedule from now
                version = control.version();
                settings = control.settings();
                period = settings.period().toNanos();
                origin = ticker.nanoTime();
                backoff = Backoff.exact(settings.period(), retryBackoffMax);
                tick = -1;
                continue;
            }
            long began = ticker.nanoTime();
            if (due - began > 0) {
                tick--; // woken early for a read request: the same tick is still ahead
                continue;
            }
            if (!settings.enabled() || backoff.attempts() > 0 && due - retryAt < 0) {
                continue; // disabled, or backing off a failing sensor
            }
            attempts++;
            lateness.accept(began - due);
            try {
                List<Measurement> measurements = channel.driver().read();
                emit(channel, measurements);
                sampled.incrementAndGet();
                if (backoff.attempts() > 0) {
                    health.recovered(channel.sensor(), backoff.attempts());
                    backoff.reset();
                }
            } catch (IOException | RuntimeException e) {
                failures.incrementAndGet();
                Duration wait = backoff.next();
                retryAt = due + wait.toNanos();
                health.failed(channel.sensor(), e, backoff.attempts(), wait);
            }
            long lastPast = (ticker.nanoTime() - origin) / period; // the latest tick whose due time has passed
            if (lastPast > tick) {
                overruns.addAndGet(lastPast - tick);
                tick = lastPast; // the loop's tick++ makes it the first tick still ahead
            }
        }
    }

    /** Reads the sensor for each waiting read-now request; a failure goes to the request, not to the backoff. */
    private void serveReadRequests(Channel channel, SensorControl control) {
        for (CompletableFuture<List<Reading>> request; (request = control.nextReadRequest()) != null; ) {
            try {
                List<Reading> taken = emit(channel, channel.driver().read());
                sampled.incrementAndGet();
                request.complete(taken);
            } catch (IOException | RuntimeException e) {
                failures.incrementAndGet();
                request.completeExceptionally(e);
            }
        }
    }

    /** Numbers and hands on each measurement; returns the readings made. */
    private List<Reading> emit(Channel channel, List<Measurement> measurements) {
        List<Reading> made = new ArrayList<>(measurements.size());
        for (Measurement m : measurements) {
            try {
                Reading reading = readings.measurement(m);
                sink.accept(reading);
                made.add(reading);
            } catch (IOException e) {
                // The sequence store could not be made durable: publishing would risk reusing a seq after a crash.
                failures.incrementAndGet();
                LOG.error("[Agent device={}] cannot number a reading of {}: {}; reading discarded",
                        readings.deviceId(), m.stream(), e.toString());
            }
        }
        return made;
    }

    private void parkUntil(long due, SensorControl control, long version) {
        while (running && due - ticker.nanoTime() > 0 && control.version() == version && !control.hasReadRequest()) {
            ticker.parkUntil(due);
        }
    }

    /** Readings produced since start (one per successful sample; a BME280 sample makes up to three). */
    public long sampled() {
        return sampled.get();
    }

    /** Failed reads since start. */
    public long failures() {
        return failures.get();
    }

    /** Ticks skipped because a read overran into the next one. */
    public long overruns() {
        return overruns.get();
    }

    /** Whether every sensor has reached the sample limit (or sampling was stopped). */
    public boolean finished() {
        return finished.getCount() == 0;
    }

    /** Stops sampling; reads in progress complete. */
    public void stop() {
        running = false;
        threads.forEach(ticker::wake);
    }

    @Override
    public void close() {
        stop();
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Channel channel : channels) {
            channel.driver().close();
        }
    }
}
