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
import java.util.List;
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
    }

    public void start() {
        long start = ticker.nanoTime() + 1_000_000; // one common origin, 1 ms ahead so every thread is parked
        for (Channel channel : channels) {
            channel.driver().startEvents(event -> emit(channel, List.of(event)));
            Thread thread = Thread.ofPlatform().name("agent-sample-" + channel.sensor().stream())
                    .unstarted(() -> {
                        try {
                            sampleLoop(channel, start);
                        } finally {
                            finished.countDown();
                        }
                    });
            threads.add(thread);
            thread.start();
        }
    }

    private void sampleLoop(Channel channel, long start) {
        long period = channel.sensor().period().toNanos();
        Backoff backoff = Backoff.exact(channel.sensor().period(), retryBackoffMax);
        long retryAt = 0;
        long attempts = 0;
        for (long tick = 0; attempts < sampleLimit && running; tick++) {
            long due = start + tick * period;
            parkUntil(due);
            if (!running) {
                return;
            }
            long began = ticker.nanoTime();
            if (backoff.attempts() > 0 && due - retryAt < 0) {
                continue; // backing off a failing sensor
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
            long lastPast = (ticker.nanoTime() - start) / period; // the latest tick whose due time has passed
            if (lastPast > tick) {
                overruns.addAndGet(lastPast - tick);
                tick = lastPast; // the loop's tick++ makes it the first tick still ahead
            }
        }
    }

    private void emit(Channel channel, List<Measurement> measurements) {
        for (Measurement m : measurements) {
            try {
                sink.accept(readings.measurement(m));
            } catch (IOException e) {
                // The sequence store could not be made durable: publishing would risk reusing a seq after a crash.
                failures.incrementAndGet();
                LOG.error("[Agent device={}] cannot number a reading of {}: {}; reading discarded",
                        readings.deviceId(), m.stream(), e.toString());
            }
        }
    }

    private void parkUntil(long due) {
        while (running && due - ticker.nanoTime() > 0) {
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
